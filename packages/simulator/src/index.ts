export * from './fleet-api-client.ts';
export * from './device-publisher.ts';
export * from './device-store.ts';
export * from './signals.ts';
export * from './excursions.ts';
export * from './device-control.ts';
export * from './device-behaviour.ts';
