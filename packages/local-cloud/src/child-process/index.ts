export * from './ready-child.ts';
export * from './supervisor.ts';
export * from './forward-http.ts';
export * from './process-alive.ts';
export * from './process-memory-settings.ts';
