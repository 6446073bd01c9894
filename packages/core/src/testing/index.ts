export * from './mqtt-payloads.ts';
export * from './local-references.ts';
