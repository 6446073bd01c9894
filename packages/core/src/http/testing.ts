/** Test support for HTTP (`@fleet/core/http/testing`): raw requests over a socket and the check every answer must pass. */
export * from './raw-http-client.ts';
export * from './clear-answer.ts';
