/**
 * The gateway's JWT authorizer, as API Gateway HTTP APIs run it for Cognito: the access token
 * must be signed by the user pool, unexpired, and issued to the app client. The same verifier and
 * caller check as the services (`@fleet/core/tokens`); no role check here, that is the services'.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 */
import { checkBearer, createTokenVerifier, fetchJwks, type BearerCheck } from '@fleet/core/tokens';

export interface JwtAuthorizerOptions {
  readonly userPoolId: string;
  readonly clientId: string;
  /** Where the pool's JWKS is served (the local cloud serves it over http, which the verifier refuses to fetch itself). */
  readonly jwksUrl: string;
}

export interface JwtAuthorizer {
  authorize(authorization: string | undefined): Promise<BearerCheck>;
}

export function createJwtAuthorizer(options: JwtAuthorizerOptions): JwtAuthorizer {
  const verifier = createTokenVerifier({
    userPoolId: options.userPoolId,
    clientId: options.clientId,
    loadJwks: () => fetchJwks(options.jwksUrl),
    logger: { debug: () => {} },
  });
  return { authorize: (authorization) => checkBearer(verifier, authorization) };
}
