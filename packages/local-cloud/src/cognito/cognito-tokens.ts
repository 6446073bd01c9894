/**
 * Cognito-shaped JWTs (RS256, `kid` header), with the claims Cognito puts in access and ID tokens
 * ("Understanding user pool JSON web tokens", Amazon Cognito Developer Guide), so that
 * aws-jwt-verify's CognitoJwtVerifier and API Gateway's JWT authorizer accept them.
 */
import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { SigningKey } from './signing-key.ts';
import type { StoredClient, StoredUser, StoredUserPool } from './cognito-state.ts';
import { ownValue } from '../aws-endpoint/own-record.ts';

export interface IssuedTokens {
  readonly accessToken: string;
  readonly idToken: string;
  /** Access token lifetime in seconds (`AuthenticationResult.ExpiresIn`). */
  readonly expiresIn: number;
}

export interface SignInSession {
  readonly originJti: string;
  /** Epoch seconds of the password sign-in; kept across refreshes. */
  readonly authTime: number;
}

export type TokenCheck = { ok: true; payload: JWTPayload } | { ok: false; reason: 'expired' | 'invalid' };

export interface CognitoTokens {
  issuerOf(poolId: string): string;
  issue(pool: StoredUserPool, client: StoredClient, user: StoredUser, session: SignInSession): Promise<IssuedTokens>;
  /** Checks signature, algorithm, issuer and expiry (at the injected clock). */
  verify(token: string, expected: { issuer?: string; tokenUse: 'access' | 'id' }): Promise<TokenCheck>;
}

export function createCognitoTokens(deps: { key: SigningKey; region: string; now: () => number }): CognitoTokens {
  const issuerOf = (poolId: string) => `https://cognito-idp.${deps.region}.amazonaws.com/${poolId}`;

  const sign = (claims: JWTPayload) =>
    new SignJWT(claims).setProtectedHeader({ kid: deps.key.kid, alg: 'RS256' }).sign(deps.key.privateKey);

  return {
    issuerOf,
    async issue(pool, client, user, session) {
      const iat = Math.floor(deps.now() / 1000);
      const groups = groupsInTokenOrder(pool, user);
      const common = {
        sub: user.sub,
        ...(groups.length > 0 ? { 'cognito:groups': groups } : {}),
        iss: issuerOf(pool.id),
        origin_jti: session.originJti,
        event_id: randomUUID(),
        auth_time: session.authTime,
        iat,
      };
      const accessToken = await sign({
        ...common,
        client_id: client.clientId,
        token_use: 'access',
        scope: 'aws.cognito.signin.user.admin',
        exp: iat + client.accessTokenSeconds,
        jti: randomUUID(),
        username: user.username,
      });
      const idToken = await sign({
        ...common,
        ...idTokenAttributes(user.attributes),
        'cognito:username': user.username,
        aud: client.clientId,
        token_use: 'id',
        exp: iat + client.idTokenSeconds,
        jti: randomUUID(),
      });
      return { accessToken, idToken, expiresIn: client.accessTokenSeconds };
    },
    async verify(token, expected) {
      try {
        const { payload } = await jwtVerify(token, deps.key.publicKey, {
          algorithms: ['RS256'],
          currentDate: new Date(deps.now()),
          ...(expected.issuer ? { issuer: expected.issuer } : {}),
        });
        if (payload.token_use !== expected.tokenUse) return { ok: false, reason: 'invalid' };
        return { ok: true, payload };
      } catch (err) {
        if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
        if (err instanceof errors.JOSEError) return { ok: false, reason: 'invalid' };
        throw err;
      }
    },
  };
}

/** Cognito lists groups by precedence (lowest first), groups without precedence last. */
function groupsInTokenOrder(pool: StoredUserPool, user: StoredUser): string[] {
  const precedence = (name: string) => ownValue(pool.groups, name)?.precedence ?? Number.MAX_SAFE_INTEGER;
  return user.groups.filter((g) => ownValue(pool.groups, g)).sort((a, b) => precedence(a) - precedence(b) || a.localeCompare(b));
}

/** Verified flags are booleans in the ID token; every other attribute is a string. */
function idTokenAttributes(attributes: Record<string, string>): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const [name, value] of Object.entries(attributes)) {
    out[name] = name === 'email_verified' || name === 'phone_number_verified' ? value === 'true' : value;
  }
  return out;
}
