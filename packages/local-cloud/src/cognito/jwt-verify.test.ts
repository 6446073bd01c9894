/**
 * The tokens must pass the verifier the API Service uses (aws-jwt-verify's CognitoJwtVerifier),
 * fed with the JWKS our endpoint serves (the verifier refuses http JWKS URLs, hence cacheJwks).
 */
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { JwksCache } from 'aws-jwt-verify/jwk';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCognitoHarness, type CognitoHarness } from '../testing/cognito-harness.ts';
import { passwordSignInTokens } from '../testing/user-pool-sign-in.ts';

type Jwks = Parameters<JwksCache['addJwks']>[1];
const password = 'Verify-Me-12345';
let h: CognitoHarness;

async function poolWithUser(name: string, username: string, group?: string) {
  const pool = await h.idp.send(new CreateUserPoolCommand({ PoolName: name }));
  const userPoolId = pool.UserPool?.Id ?? '';
  const client = await h.idp.send(
    new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }),
  );
  const clientId = client.UserPoolClient?.ClientId ?? '';
  await h.idp.send(
    new SignUpCommand({
      ClientId: clientId,
      Username: username,
      Password: password,
      UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
    }),
  );
  await h.idp.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: username }));
  if (group) {
    await h.idp.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
    await h.idp.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }));
  }
  const signIn = () => passwordSignInTokens({ idp: h.idp, clientId, username, password });
  return { userPoolId, clientId, signIn };
}

async function fetchJwks(userPoolId: string): Promise<Jwks> {
  const response = await fetch(`${h.endpoint}/${userPoolId}/.well-known/jwks.json`);
  expect(response.status).toBe(200);
  return (await response.json()) as Jwks;
}

let a: Awaited<ReturnType<typeof poolWithUser>>;
let b: Awaited<ReturnType<typeof poolWithUser>>;

beforeAll(async () => {
  h = await startCognitoHarness();
  a = await poolWithUser('pool-a', 'ann', 'admin');
  b = await poolWithUser('pool-b', 'ben');
});

afterAll(async () => {
  await h.close();
});

function verifierFor(pool: typeof a, extra: { tokenUse: 'access' | 'id'; groups?: string }, jwks: Jwks) {
  const verifier = CognitoJwtVerifier.create({ userPoolId: pool.userPoolId, clientId: pool.clientId, ...extra });
  verifier.cacheJwks(jwks);
  return verifier;
}

describe('tokens against aws-jwt-verify CognitoJwtVerifier', () => {
  it('serves the JWKS at /<poolId>/.well-known/jwks.json and only there', async () => {
    const jwks = await fetchJwks(a.userPoolId);
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
    const { access } = await a.signIn();
    expect(decodeProtectedHeader(access)).toEqual({ kid: jwks.keys[0]?.kid, alg: 'RS256' });
    expect((await fetch(`${h.endpoint}/us-east-1_unknown00/.well-known/jwks.json`)).status).toBe(404);
    expect((await fetch(`${h.endpoint}/${a.userPoolId}/other`)).status).toBe(404);
  });

  it('accepts our access and id tokens', async () => {
    const jwks = await fetchJwks(a.userPoolId);
    const { access, id } = await a.signIn();
    const accessPayload = await verifierFor(a, { tokenUse: 'access' }, jwks).verify(access);
    expect(accessPayload.username).toBe('ann');
    const idPayload = await verifierFor(a, { tokenUse: 'id' }, jwks).verify(id);
    expect(idPayload['cognito:username']).toBe('ann');
    expect(idPayload.email).toBe('ann@example.com');
  });

  it('carries exactly the claims Cognito puts in access and id tokens', async () => {
    const { access, id } = await a.signIn();
    expect(Object.keys(decodeJwt(access)).sort()).toEqual(
      [
        'sub',
        'cognito:groups',
        'iss',
        'client_id',
        'origin_jti',
        'event_id',
        'token_use',
        'scope',
        'auth_time',
        'exp',
        'iat',
        'jti',
        'username',
      ].sort(),
    );
    expect(Object.keys(decodeJwt(id)).sort()).toEqual(
      [
        'sub',
        'cognito:groups',
        'email_verified',
        'iss',
        'cognito:username',
        'origin_jti',
        'aud',
        'event_id',
        'token_use',
        'auth_time',
        'exp',
        'iat',
        'jti',
        'email',
      ].sort(),
    );
  });

  it('rejects an expired token', async () => {
    const jwks = await fetchJwks(a.userPoolId);
    h.clockOffsetMs = -2 * 3600 * 1000;
    const { access } = await a.signIn();
    h.clockOffsetMs = 0;
    await expect(verifierFor(a, { tokenUse: 'access' }, jwks).verify(access)).rejects.toThrow(/expired/i);
  });

  it('rejects a tampered token', async () => {
    const jwks = await fetchJwks(a.userPoolId);
    const { access } = await a.signIn();
    const [header, , signature] = access.split('.');
    const payload = Buffer.from(JSON.stringify({ ...decodeJwt(access), username: 'mallory' })).toString('base64url');
    await expect(verifierFor(a, { tokenUse: 'access' }, jwks).verify(`${header}.${payload}.${signature}`)).rejects.toThrow(/signature/i);
  });

  it('rejects a token from another pool', async () => {
    const jwks = await fetchJwks(a.userPoolId);
    const { access } = await b.signIn();
    await expect(verifierFor(a, { tokenUse: 'access' }, jwks).verify(access)).rejects.toThrow(/issuer/i);
  });

  it('rejects an id token where an access token is expected', async () => {
    const jwks = await fetchJwks(a.userPoolId);
    const { id } = await a.signIn();
    await expect(verifierFor(a, { tokenUse: 'access' }, jwks).verify(id)).rejects.toThrow(/token use/i);
  });

  it('enforces the groups option with cognito:groups', async () => {
    const { access: adminAccess } = await a.signIn();
    const admins = verifierFor(a, { tokenUse: 'access', groups: 'admin' }, await fetchJwks(a.userPoolId));
    expect((await admins.verify(adminAccess))['cognito:groups']).toEqual(['admin']);

    const { access: plainAccess } = await b.signIn();
    const bAdmins = verifierFor(b, { tokenUse: 'access', groups: 'admin' }, await fetchJwks(b.userPoolId));
    await expect(bAdmins.verify(plainAccess)).rejects.toThrow(/group/i);
  });
});
