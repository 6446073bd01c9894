/**
 * A stand-in for a Cognito user pool's signing key in tests: an RSA key pair made with jose, its
 * JWKS, and access / ID tokens with the claims Cognito puts in them
 * ("Understanding user pool JSON web tokens", Amazon Cognito Developer Guide).
 */
import { randomUUID } from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import type { Jwks } from 'aws-jwt-verify/jwk';

export interface TestTokens {
  readonly jwks: Jwks;
  readonly issuer: string;
  /** The kid of the pool's key. */
  readonly kid: string;
  accessToken(options?: TokenOptions): Promise<string>;
  idToken(options?: TokenOptions & { email?: string }): Promise<string>;
  /** Any payload (even not an object) under any header, RS256-signed with the pool's key: for fuzzing. */
  signRaw(payload: unknown, header?: Record<string, unknown>): Promise<string>;
}

export interface TokenOptions {
  sub?: string;
  username?: string;
  groups?: string[];
  /** Seconds from now; negative for an expired token. @default 3600 */
  expiresIn?: number;
  issuer?: string;
  clientId?: string;
  /** Sign with another key (same kid): a forged token. */
  key?: CryptoKey;
  kid?: string;
}

export async function createTestTokens(options: { userPoolId: string; clientId: string; kid?: string }): Promise<TestTokens> {
  const kid = options.kid ?? randomUUID();
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const region = options.userPoolId.split('_')[0];
  const issuer = `https://cognito-idp.${region}.amazonaws.com/${options.userPoolId}`;
  const jwks = { keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] } as unknown as Jwks;

  async function sign(claims: JWTPayload, o: TokenOptions): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...claims, iss: o.issuer ?? issuer, iat, auth_time: iat, exp: iat + (o.expiresIn ?? 3600) })
      .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? kid })
      .sign(o.key ?? privateKey);
  }

  const common = (o: TokenOptions) => ({
    sub: o.sub ?? 'sub-alice',
    ...(o.groups && o.groups.length > 0 ? { 'cognito:groups': o.groups } : {}),
    origin_jti: randomUUID(),
    event_id: randomUUID(),
    jti: randomUUID(),
  });

  return {
    jwks,
    issuer,
    kid,
    signRaw: (payload, header = {}) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ kid, ...header, alg: 'RS256' })
        .sign(privateKey),
    accessToken: (o = {}) =>
      sign(
        {
          ...common(o),
          token_use: 'access',
          client_id: o.clientId ?? options.clientId,
          scope: 'aws.cognito.signin.user.admin',
          username: o.username ?? 'alice',
        },
        o,
      ),
    idToken: (o = {}) =>
      sign(
        {
          ...common(o),
          token_use: 'id',
          aud: o.clientId ?? options.clientId,
          'cognito:username': o.username ?? 'alice',
          ...(o.email ? { email: o.email, email_verified: true } : {}),
        },
        o,
      ),
  };
}
