export * from './mqtt-payloads.ts';
export * from './local-references.ts';
export * from './free-port.ts';
