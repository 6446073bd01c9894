export * from './ready-child.ts';
export * from './forward-http.ts';
export * from './process-alive.ts';
