/**
 * Verifies Cognito user pool tokens with aws-jwt-verify, for every process that judges a caller:
 * the gateway's authorizer, the API Service and the Data Service. The JWKS is fetched by us (the verifier
 * refuses plain-http JWKS URLs, which the local cloud serves) and handed over with `cacheJwks`;
 * `verifySync` then never reaches the network. A token whose `kid` is unknown triggers one
 * re-fetch (Cognito rotates keys), at most once per `minRefetchIntervalMs`. A token accepted once is
 * answered from memory until its `exp` (`verified-token-cache.ts`); loading the JWKS forgets them all.
 */
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { JwtExpiredError, KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { cognitoEndpoint } from '../config/common-variables.ts';
import { createVerifiedTokenCache, type VerifiedTokenCache } from './verified-token-cache.ts';

/** The one logger method this uses (pino's signature). */
export interface DebugLogger {
  debug(obj: object, msg: string): void;
}

/** The claims the API uses from an access token. */
export interface AccessClaims {
  readonly sub: string;
  readonly username: string;
  readonly groups: readonly string[];
}

/** The claims the API uses from an ID token. */
export interface IdClaims {
  readonly sub: string;
  readonly email?: string;
}

export type Verified<T> =
  { readonly ok: true; readonly claims: T } | { readonly ok: false; readonly reason: 'expired' | 'invalid'; readonly message: string };

export interface TokenVerifier {
  verifyAccess(token: string): Promise<Verified<AccessClaims>>;
  verifyId(token: string): Promise<Verified<IdClaims>>;
}

export interface TokenVerifierOptions {
  readonly userPoolId: string;
  /** The app client id: access tokens must carry it in `client_id`, ID tokens in `aud`. */
  readonly clientId: string;
  /** Returns the user pool's JWKS; throws when it cannot. */
  readonly loadJwks: () => Promise<Jwks>;
  readonly logger: DebugLogger;
  /** @default 10_000 */
  readonly minRefetchIntervalMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Verified tokens remembered per kind (access, ID). @default 5_000 */
  readonly maxCachedTokens?: number;
}

/** Thrown when the JWKS cannot be loaded: tokens cannot be judged, which is not the caller's fault. */
export class JwksUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the user pool JWKS could not be loaded', { cause });
    this.name = 'JwksUnavailableError';
  }
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { userPoolId, clientId, logger } = options;
  const minInterval = options.minRefetchIntervalMs ?? 10_000;
  const now = options.now ?? Date.now;
  const access = CognitoJwtVerifier.create({ userPoolId, clientId, tokenUse: 'access' });
  const id = CognitoJwtVerifier.create({ userPoolId, clientId, tokenUse: 'id' });
  const cacheOptions = { now, ...(options.maxCachedTokens === undefined ? {} : { maxEntries: options.maxCachedTokens }) };
  const verifiedAccess = createVerifiedTokenCache<AccessClaims>(cacheOptions);
  const verifiedId = createVerifiedTokenCache<IdClaims>(cacheOptions);
  let loading: Promise<void> | undefined;
  let lastLoadAt = Number.NEGATIVE_INFINITY;

  function load(force: boolean): Promise<void> {
    if (loading && !(force && now() - lastLoadAt >= minInterval)) return loading;
    lastLoadAt = now();
    const attempt = options
      .loadJwks()
      .then((jwks) => {
        access.cacheJwks(jwks);
        id.cacheJwks(jwks);
        // A key may have been withdrawn: what was verified with it is judged again.
        verifiedAccess.clear();
        verifiedId.clear();
        logger.debug({ keys: jwks.keys.length }, 'user pool JWKS loaded');
      })
      .catch((err: unknown) => {
        // Forget the failed attempt so that the next request tries again.
        if (loading === attempt) loading = undefined;
        throw new JwksUnavailableError(err);
      });
    loading = attempt;
    return attempt;
  }

  /** `check` verifies the token and answers its claims with its `exp`; accepted tokens are kept in `cache`. */
  async function verify<T>(token: string, cache: VerifiedTokenCache<T>, check: () => { claims: T; exp: number }): Promise<Verified<T>> {
    await load(false);
    const known = cache.get(token);
    if (known) return { ok: true, claims: known };
    const accepted = (verified: { claims: T; exp: number }): Verified<T> => {
      cache.set(token, verified.claims, verified.exp);
      return { ok: true, claims: verified.claims };
    };
    try {
      return accepted(check());
    } catch (err) {
      if (!(err instanceof KidNotFoundInJwksError)) return failure(err);
    }
    await load(true);
    try {
      return accepted(check());
    } catch (err) {
      return failure(err);
    }
  }

  return {
    verifyAccess: (token) =>
      verify(token, verifiedAccess, () => {
        const payload = access.verifySync(token);
        requireClaims(payload);
        // Absent when the user is in no group; anything but a list of names is not Cognito's.
        const groups: unknown = payload['cognito:groups'] === undefined ? [] : payload['cognito:groups'];
        if (typeof payload.username !== 'string' || payload.username === '') throw new Error('the token has no username');
        if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string')) throw new Error('cognito:groups is not a list of names');
        // Frozen: the same claims answer every later request with this token.
        const claims = Object.freeze({ sub: payload.sub, username: payload.username, groups: Object.freeze([...groups]) });
        return { claims, exp: payload.exp };
      }),
    verifyId: (token) =>
      verify(token, verifiedId, () => {
        const payload = id.verifySync(token);
        requireClaims(payload);
        const email = payload['email'];
        return { claims: Object.freeze({ sub: payload.sub, ...(typeof email === 'string' ? { email } : {}) }), exp: payload.exp };
      }),
  };
}

/**
 * aws-jwt-verify checks `exp` only when present and leaves `sub` unchecked; Cognito always sets
 * both, so a token without them is not one of its tokens (found by the JWT fuzz suite).
 */
function requireClaims(payload: { exp?: unknown; sub?: unknown }): asserts payload is { exp: number; sub: string } {
  if (typeof payload.exp !== 'number') throw new Error('the token has no expiry (exp)');
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('the token has no subject (sub)');
}

function failure(err: unknown): { ok: false; reason: 'expired' | 'invalid'; message: string } {
  if (err instanceof JwtExpiredError) return { ok: false, reason: 'expired', message: 'The token has expired' };
  return { ok: false, reason: 'invalid', message: err instanceof Error ? err.message : String(err) };
}

/** Fetches a JWKS document over http(s); throws with the URL and status when it cannot. */
export async function fetchJwks(url: string, timeoutMs = 5_000): Promise<Jwks> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`JWKS at ${url} answered ${res.status}, expected 200`);
  const body = (await res.json()) as Jwks;
  if (!Array.isArray(body?.keys)) throw new Error(`JWKS at ${url} has no "keys" array`);
  return body;
}

/**
 * Where a user pool's JWKS is served, resolved the way the AWS SDK resolves the Cognito endpoint:
 * the service-specific variable, then the global one, then the public regional endpoint
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html). Takes a service's
 * configuration (`loadConfig`), which read those variables.
 */
export function cognitoJwksUrl(pool: {
  readonly region: string;
  readonly userPoolId: string;
  readonly awsEndpointUrl?: string | undefined;
  readonly cognitoEndpointUrl?: string | undefined;
}): string {
  const endpoint = cognitoEndpoint(pool) ?? `https://cognito-idp.${pool.region}.amazonaws.com`;
  return `${endpoint.replace(/\/+$/, '')}/${pool.userPoolId}/.well-known/jwks.json`;
}
