/**
 * Tokens already verified, remembered until their `exp`, so that a caller's next request with the same
 * token costs a map lookup instead of two JSON parses and an RSA signature check (about 0.4 ms of CPU
 * per request and per process that judges it: the gateway's authorizer, the API and the Data Service).
 *
 * Why this is as strict as verifying again: the key is the whole token, signature included, so only
 * the exact bytes that were verified are found; what verification decides about those bytes can only
 * change with time (`exp`, checked here on every hit, in the same milliseconds aws-jwt-verify uses) or
 * with the keys (the owner clears the cache whenever it loads the JWKS again). Refusals are not kept:
 * a bad token is judged in full every time, and cannot push good ones out faster than new good ones.
 * Cognito's revocation (RevokeToken, GlobalSignOut) is not seen by a JWT check at all, cached or not,
 * as API Gateway's JWT authorizer does not see it either.
 *
 * Bounded: at most `maxEntries` tokens (about 1 KB each); when full, the oldest entry goes first.
 */

export interface VerifiedTokenCache<T> {
  /** The claims of a token verified before and not expired at `now()`; undefined otherwise. */
  get(token: string): T | undefined;
  /** Remembers a verified token's claims until `expSeconds` (the token's `exp`, seconds since the epoch). */
  set(token: string, claims: T, expSeconds: number): void;
  /** Forgets every token (the keys they were checked against changed). */
  clear(): void;
  readonly size: number;
}

export interface VerifiedTokenCacheOptions {
  /** @default 5_000 */
  readonly maxEntries?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export function createVerifiedTokenCache<T>(options: VerifiedTokenCacheOptions = {}): VerifiedTokenCache<T> {
  const maxEntries = options.maxEntries ?? 5_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { readonly claims: T; readonly expiresAtMs: number }>();
  return {
    get(token) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      // aws-jwt-verify refuses a token once now > exp (no grace period is configured); a miss at the
      // boundary millisecond only means verifying it again.
      if (now() >= entry.expiresAtMs) {
        entries.delete(token);
        return undefined;
      }
      return entry.claims;
    },
    set(token, claims, expSeconds) {
      const expiresAtMs = expSeconds * 1000;
      if (!(now() < expiresAtMs)) return;
      entries.delete(token);
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(token, { claims, expiresAtMs });
    },
    clear: () => entries.clear(),
    get size() {
      return entries.size;
    },
  };
}
