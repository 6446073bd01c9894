export * from './aws-request.ts';
export * from './aws-error.ts';
export * from './json-protocol.ts';
export * from './aws-endpoint.ts';
export * from './request-fields.ts';
