import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testPool, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const get = (authorization?: string) =>
  t.app.inject({ method: 'GET', url: '/api/devices', headers: authorization === undefined ? {} : { authorization } });

describe('access token checks', () => {
  it('accepts a valid access token', async () => {
    expect((await get(await t.bearer())).statusCode).toBe(200);
  });

  it('answers 401 with a Bearer challenge when the Authorization header is missing or not Bearer', async () => {
    for (const header of [undefined, 'Basic YWxpY2U6c2VjcmV0', 'Bearer']) {
      const res = await get(header);
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="fleet"');
      expect(res.json()).toEqual({ code: 'Unauthorized', message: 'Missing bearer token in the Authorization header' });
    }
  });

  it('answers 401 invalid_token for an expired token', async () => {
    const res = await get(`Bearer ${await t.tokens.accessToken({ expiresIn: -60 })}`);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="fleet", error="invalid_token"');
    expect(res.json()).toEqual({ code: 'Unauthorized', message: 'The access token has expired' });
  });

  it('answers 401 for a token of another issuer, another client, or an ID token', async () => {
    const tokens = [
      await t.tokens.accessToken({ issuer: `https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OtherPool` }),
      await t.tokens.accessToken({ clientId: 'another-client' }),
      await t.tokens.idToken(),
    ];
    for (const token of tokens) {
      const res = await get(`Bearer ${token}`);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ code: 'Unauthorized', message: 'The access token is invalid' });
    }
  });

  it('answers 401 for a tampered token and for one signed with another key under the same kid', async () => {
    const token = await t.tokens.accessToken({ groups: ['viewer'] });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    claims['cognito:groups'] = ['admin'];
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    expect((await get(`Bearer ${tampered}`)).statusCode).toBe(401);
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await t.tokens.accessToken({ key: privateKey, kid: String(t.tokens.jwks.keys[0]?.kid) });
    expect((await get(`Bearer ${forged}`)).statusCode).toBe(401);
    expect((await get('Bearer not.a.jwt')).statusCode).toBe(401);
  });

  it('refuses before validating the body: 401, not 400, for an unauthenticated bad request', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/devices', payload: { deviceId: 'bad id' } });
    expect(res.statusCode).toBe(401);
  });

  it('keeps public paths public: health and the OpenAPI document', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/health' })).json()).toMatchObject({ status: 'ok' });
    expect((await t.app.inject({ method: 'GET', url: '/api/health/live' })).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).statusCode).toBe(200);
  });

  it('uses the pool of the configuration', () => {
    expect(t.tokens.issuer).toBe(`https://cognito-idp.us-east-1.amazonaws.com/${testPool.userPoolId}`);
  });
});
