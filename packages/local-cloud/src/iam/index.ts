export * from './access-check.ts';
export * from './authorize.ts';
export * from './credential-resolver.ts';
export * from './local-arns.ts';
export * from './principals.ts';
export * from './public-operations.ts';
