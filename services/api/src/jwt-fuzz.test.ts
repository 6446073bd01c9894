/**
 * Fuzz suite of the bearer token (fast-check, in process): malformed headers and tokens, any
 * algorithm including `none` and HS256 keyed with the pool's public key, expired tokens, tokens of
 * another pool or client, ID tokens, claims of any JSON type, huge tokens. Only a genuine access
 * token of the pool passes; everything else is a 401 with a Bearer challenge, never a 5xx.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { unclearAnswer } from '@fleet/core/http/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testPool, type TestApp } from './test-support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

async function get(authorization: string) {
  const res = await t.app.inject({ method: 'GET', url: '/api/devices', headers: { authorization } });
  const problem = unclearAnswer(res.statusCode, res.body, { headers: res.headers as Record<string, string> });
  if (problem) throw new Error(`${authorization.slice(0, 120)}: ${problem}`);
  return res;
}

/**
 * Claims: a genuine access token's, with up to three of them removed or replaced by any JSON
 * (right or wrong pool and client, expired, of the wrong type), so that both outcomes occur.
 */
const claims = fc
  .dictionary(
    fc.constantFrom('iss', 'client_id', 'token_use', 'exp', 'iat', 'sub', 'username', 'cognito:groups'),
    fc.oneof(
      fc.constant(undefined),
      fc.jsonValue(),
      fc.constantFrom(
        'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OtherPool',
        'id',
        'another-client',
        ['admin'],
        'admin',
        Math.floor(Date.now() / 1000) - 10,
        Number.MAX_SAFE_INTEGER,
      ),
    ),
    { maxKeys: 3 },
  )
  .map((changes) => {
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      iss: `https://cognito-idp.us-east-1.amazonaws.com/${testPool.userPoolId}`,
      client_id: testPool.clientId,
      token_use: 'access',
      exp: now + 600,
      iat: now,
      sub: 'sub-fuzz',
      username: 'fuzz',
      'cognito:groups': ['viewer'],
    };
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined) delete payload[name];
      else payload[name] = value;
    }
    return payload;
  });

describe('fuzzing the bearer token', () => {
  it('answers 401 with a Bearer challenge to anything but a real access token, never a 5xx', async () => {
    const header = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.stringMatching(/^[A-Za-z0-9._~+/=-]{0,400}$/).map((token) => `Bearer ${token}`),
      fc.tuple(fc.jsonValue(), fc.jsonValue(), fc.string()).map(([h, p, s]) => `Bearer ${b64(h)}.${b64(p)}.${b64(s)}`),
      fc.constantFrom('Bearer', 'Bearer ', 'bearer x', 'Basic YWxpY2U6c2VjcmV0', 'Bearer a.b', 'Bearer a.b.c.d', 'Bearer ...'),
    );
    await fc.assert(
      fc.asyncProperty(header, async (authorization) => {
        // A header value may hold no control characters (RFC 9110 §5.5); a client cannot send them.
        fc.pre(!/[\u0000-\u001f\u007f-\uffff]/.test(authorization));
        const res = await get(authorization);
        expect(res.statusCode).toBe(401);
        expect(String(res.headers['www-authenticate'])).toMatch(/^Bearer realm="fleet"/);
      }),
      { numRuns: 300 },
    );
  });

  it('lets through exactly the well-signed, well-formed access tokens of the pool and app client that have not expired', async () => {
    await fc.assert(
      fc.asyncProperty(
        claims,
        fc.constantFrom('RS256', 'RS256', 'RS256', 'none', 'HS256', 'RS512', 'ES256'),
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined, freq: 4 }),
        async (payload, alg, kid) => {
          let token: string;
          if (alg === 'RS256') token = await t.tokens.signRaw(payload, kid === undefined ? {} : { kid });
          else {
            const signingInput = `${b64({ alg, kid: kid ?? t.tokens.kid })}.${b64(payload)}`;
            // HS256 keyed with the public JWK: the classic algorithm confusion.
            const signature =
              alg === 'HS256' ? createHmac('sha256', JSON.stringify(t.tokens.jwks.keys[0])).update(signingInput).digest('base64url') : '';
            token = `${signingInput}.${signature}`;
          }
          const res = await get(`Bearer ${token}`);
          const groups = payload['cognito:groups'];
          const genuine =
            alg === 'RS256' &&
            (kid === undefined || kid === t.tokens.kid) &&
            payload.iss === t.tokens.issuer &&
            payload.client_id === testPool.clientId &&
            payload.token_use === 'access' &&
            typeof payload.exp === 'number' &&
            payload.exp > Date.now() / 1000 &&
            (payload.iat === undefined || typeof payload.iat === 'number') &&
            typeof payload.sub === 'string' &&
            payload.sub !== '' &&
            typeof payload.username === 'string' &&
            payload.username !== '' &&
            (groups === undefined || (Array.isArray(groups) && groups.every((g) => typeof g === 'string')));
          expect(res.statusCode).toBe(genuine ? 200 : 401);
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);

  it('refuses expired, foreign, ID and huge tokens with 401', async () => {
    const cases = [
      await t.tokens.accessToken({ expiresIn: -1 }),
      await t.tokens.accessToken({ issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OtherPool' }),
      await t.tokens.accessToken({ clientId: 'another-client' }),
      await t.tokens.idToken(),
      await t.tokens.signRaw({ iss: t.tokens.issuer, client_id: testPool.clientId, token_use: 'access', padding: 'x'.repeat(12_000) }),
    ];
    for (const token of cases) expect((await get(`Bearer ${token}`)).statusCode).toBe(401);
    expect((await get(await t.bearer({ groups: ['viewer'] }))).statusCode).toBe(200);
  });
});
