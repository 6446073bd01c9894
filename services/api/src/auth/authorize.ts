/**
 * Authentication and authorization as one `onRequest` hook per route, so that a request without
 * a valid token is refused (401) before its body is parsed or validated, and a valid token
 * without the right (403) before any side effect.
 */
import { can, effectiveRole, type permissions, type Role } from '@fleet/core';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { apiError } from '../errors.ts';
import { JwksUnavailableError, type TokenVerifier } from './token-verifier.ts';

/** Who is calling, as established from the access token. */
export interface AuthContext {
  readonly sub: string;
  readonly username: string;
  readonly groups: readonly string[];
  readonly role: Role;
  /** The raw access token, forwarded to services that verify it themselves. */
  readonly accessToken: string;
}

export type Permission = keyof typeof permissions;

export interface Authorizer {
  /** A hook that requires a valid access token and, when given, the permission. */
  require(permission?: Permission): onRequestAsyncHookHandler;
}

const contexts = new WeakMap<FastifyRequest, AuthContext>();

/** The caller of a request that passed `require(...)`; throws when the route has no such hook. */
export function authOf(request: FastifyRequest): AuthContext {
  const context = contexts.get(request);
  if (!context) throw new Error(`route ${request.method} ${request.url} has no authorize hook, so it has no caller`);
  return context;
}

// RFC 6750 section 3: the challenge a protected resource answers a request without a usable token.
const challenge = (error?: 'invalid_token') => ({
  'WWW-Authenticate': error ? `Bearer realm="fleet", error="${error}"` : 'Bearer realm="fleet"',
});

export function createAuthorizer(deps: { verifier: TokenVerifier; defaultRole: Role }): Authorizer {
  return {
    require(permission) {
      return async (request) => {
        const header = request.headers.authorization;
        const token = header ? /^Bearer +(\S+)\s*$/i.exec(header)?.[1] : undefined;
        if (!token) {
          throw apiError('Unauthorized', 'Missing bearer token in the Authorization header', { headers: challenge() });
        }
        let verified;
        try {
          verified = await deps.verifier.verifyAccess(token);
        } catch (err) {
          if (err instanceof JwksUnavailableError) throw apiError('AuthUnavailable', 'Tokens cannot be verified right now', { cause: err });
          throw err;
        }
        if (!verified.ok) {
          request.log.info({ reason: verified.reason, detail: verified.message }, 'access token refused');
          const message = verified.reason === 'expired' ? 'The access token has expired' : 'The access token is invalid';
          throw apiError('Unauthorized', message, { headers: challenge('invalid_token') });
        }
        const { sub, username, groups } = verified.claims;
        const role = effectiveRole(groups, deps.defaultRole);
        if (permission && !can(role, permission)) {
          throw apiError('Forbidden', `Role "${role}" may not ${describe[permission]}`);
        }
        contexts.set(request, { sub, username, groups, role, accessToken: token });
      };
    },
  };
}

const describe: Record<Permission, string> = {
  readDevices: 'read devices',
  manageDevices: 'manage devices',
  manageUsers: 'manage users',
  readDeadLetters: 'read dead letters',
  replayDeadLetters: 'replay dead letters',
};
