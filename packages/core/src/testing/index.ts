export * from './mqtt-payloads.ts';
export * from './local-references.ts';
export { freePort } from '../process/free-port.ts';
