/**
 * Authentication and authorization as one `onRequest` hook per route, so that a request without
 * a valid token is refused (401) before its body is parsed or validated, and a valid token
 * without the right (403) before any side effect. The judgement itself is `checkBearer` of
 * `@fleet/core/tokens`, which the Data Service runs too.
 */
import type { Permission } from '@fleet/core';
import { checkBearer, type Caller, type TokenVerifier } from '@fleet/core/tokens';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { apiError } from '../errors.ts';

/** Who is calling, as established from the access token. */
export type AuthContext = Caller;

export type { Permission };

export interface Authorizer {
  /** A hook that requires a valid access token and, when given, the permission. */
  require(permission?: Permission): onRequestAsyncHookHandler;
}

const contexts = new WeakMap<FastifyRequest, AuthContext>();
/** The verified caller of every request with a valid token, also when their role was refused (the audit trail names them). */
const identities = new WeakMap<FastifyRequest, AuthContext>();

/** Who sent a request whose token was valid, whether or not the route let them in; undefined otherwise. */
export function identityOf(request: FastifyRequest): AuthContext | undefined {
  return identities.get(request);
}

/** The caller of a request that passed `require(...)`; throws when the route has no such hook. */
export function authOf(request: FastifyRequest): AuthContext {
  const context = contexts.get(request);
  if (!context) throw new Error(`route ${request.method} ${request.url} has no authorize hook, so it has no caller`);
  return context;
}

export function createAuthorizer(deps: { verifier: TokenVerifier }): Authorizer {
  return {
    require(permission) {
      return async (request) => {
        const result = await checkBearer(deps.verifier, request.headers.authorization, permission);
        if (!result.ok) {
          if (result.caller) identities.set(request, result.caller);
          if (result.detail) request.log.info({ code: result.code, detail: result.detail }, 'access token refused');
          throw apiError(result.code, result.message, { headers: result.headers });
        }
        contexts.set(request, result.caller);
        identities.set(request, result.caller);
      };
    },
  };
}
