export * from './platform-process.ts';
export * from './free-port.ts';
export * from './fleet-user.ts';
export * from './confirmation-code.ts';
export * from './browser-live-client.ts';
