export * from './mqtt-payloads.ts';
