/**
 * Cognito token verification and the caller check every HTTP process shares (`@fleet/core/tokens`).
 * A subpath of its own: it needs aws-jwt-verify, which the web app's bundle must not pull in.
 */
export * from './token-verifier.ts';
export * from './bearer-check.ts';
