/**
 * `GET /<userPoolId>/.well-known/jwks.json`, the path Cognito publishes its public keys at
 * (https://cognito-idp.<region>.amazonaws.com/<userPoolId>/.well-known/jwks.json). Mounted as a
 * plain HTTP route of the AWS endpoint; anything else under the mount answers 404.
 */
import type { AwsServiceHandler } from '../aws-endpoint/index.ts';
import type { CognitoState } from './cognito-state.ts';
import type { SigningKey } from './signing-key.ts';
import { ownValue } from '../aws-endpoint/own-record.ts';

const jwksPath = /^\/([\w-]+_[A-Za-z0-9]+)\/\.well-known\/jwks\.json$/;

export function createJwksHandler(deps: { state: CognitoState; key: SigningKey }): AwsServiceHandler {
  const json = (status: number, body: unknown) => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return async (req) => {
    const match = jwksPath.exec(req.path);
    if (!match || !ownValue(deps.state.userPools, match[1] ?? '')) return json(404, { message: `No user pool JWKS at ${req.path}` });
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { message: `${req.method} not allowed; use GET` });
    return { ...json(200, deps.key.jwks), headers: { 'content-type': 'application/json', 'cache-control': 'max-age=300' } };
  };
}
