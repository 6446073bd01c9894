/**
 * The HTTP server every Fleet process listens with, and its raw error answers
 * (`@fleet/core/http`: Node-only, kept out of the web app's imports).
 */
export * from './client-error.ts';
export * from './request-line-guard.ts';
export * from './http-server.ts';
export * from './service-server-options.ts';
