/**
 * The gateway's JWT authorizer, as API Gateway HTTP APIs run it for Cognito: the access token
 * must be signed by the user pool, unexpired, and issued to the app client.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 */
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { KidNotFoundInJwksError } from 'aws-jwt-verify/error';

export interface JwtAuthorizerOptions {
  readonly userPoolId: string;
  readonly clientId: string;
  /** Where the pool's JWKS is served (the local cloud serves it over http, which the verifier refuses to fetch itself). */
  readonly jwksUrl: string;
}

export type AuthorizerResult = { readonly ok: true; readonly sub: string } | { readonly ok: false; readonly message: string };

export interface JwtAuthorizer {
  authorize(authorization: string | undefined): Promise<AuthorizerResult>;
}

export function createJwtAuthorizer(options: JwtAuthorizerOptions): JwtAuthorizer {
  const verifier = CognitoJwtVerifier.create({ userPoolId: options.userPoolId, clientId: options.clientId, tokenUse: 'access' });
  let loaded: Promise<void> | undefined;
  let lastLoad = 0;

  /** Loads the JWKS at first use and again (at most every 10 s) when a token names an unknown key. */
  function loadJwks(force: boolean): Promise<void> {
    if (loaded && !(force && Date.now() - lastLoad > 10_000)) return loaded;
    lastLoad = Date.now();
    loaded = fetch(options.jwksUrl)
      .then(async (res) => {
        if (!res.ok) throw new Error(`JWKS at ${options.jwksUrl} answered ${res.status}`);
        verifier.cacheJwks((await res.json()) as Jwks);
      })
      .catch((err: unknown) => {
        loaded = undefined;
        throw err;
      });
    return loaded;
  }

  return {
    async authorize(authorization) {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
      if (!token) return { ok: false, message: 'Missing bearer token in the Authorization header' };
      await loadJwks(false);
      try {
        const payload = await verifier.verify(token);
        return { ok: true, sub: payload.sub };
      } catch (err) {
        if (err instanceof KidNotFoundInJwksError) {
          await loadJwks(true);
          try {
            return { ok: true, sub: (await verifier.verify(token)).sub };
          } catch (retryErr) {
            return { ok: false, message: (retryErr as Error).message };
          }
        }
        return { ok: false, message: (err as Error).message };
      }
    },
  };
}
