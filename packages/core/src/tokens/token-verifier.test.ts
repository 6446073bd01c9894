import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { createTestTokens } from './test-tokens.ts';
import { cognitoJwksUrl, createTokenVerifier, fetchJwks, JwksUnavailableError } from './token-verifier.ts';

const pool = { userPoolId: 'us-east-1_Verifier1', clientId: 'client-1' };
const logger = { debug: () => {} };

describe('createTokenVerifier', () => {
  it('reads sub, username and groups from an access token, and sub and email from an ID token', async () => {
    const tokens = await createTestTokens(pool);
    const verifier = createTokenVerifier({ ...pool, loadJwks: async () => tokens.jwks, logger });
    expect(await verifier.verifyAccess(await tokens.accessToken({ sub: 's1', username: 'bob', groups: ['viewer'] }))).toEqual({
      ok: true,
      claims: { sub: 's1', username: 'bob', groups: ['viewer'] },
    });
    expect(await verifier.verifyId(await tokens.idToken({ sub: 's1', email: 'bob@example.com' }))).toEqual({
      ok: true,
      claims: { sub: 's1', email: 'bob@example.com' },
    });
    expect((await verifier.verifyId(await tokens.accessToken())).ok).toBe(false);
  });

  it('refuses a well-signed token without exp, sub or username, or with groups that are not a list of names', async () => {
    const tokens = await createTestTokens(pool);
    const verifier = createTokenVerifier({ ...pool, loadJwks: async () => tokens.jwks, logger });
    const base = {
      iss: tokens.issuer,
      client_id: pool.clientId,
      token_use: 'access',
      exp: Math.floor(Date.now() / 1000) + 600,
      sub: 's1',
      username: 'bob',
    };
    expect((await verifier.verifyAccess(await tokens.signRaw(base))).ok).toBe(true);
    for (const [name, value] of [
      ['exp', undefined],
      ['sub', undefined],
      ['sub', ''],
      ['username', undefined],
      ['username', 42],
      ['cognito:groups', 'admin'],
      ['cognito:groups', null],
      ['cognito:groups', [1]],
    ] as const) {
      const claims: Record<string, unknown> = { ...base, [name]: value };
      if (value === undefined) delete claims[name];
      expect(await verifier.verifyAccess(await tokens.signRaw(claims)), `${name}: ${JSON.stringify(value)}`).toMatchObject({
        ok: false,
        reason: 'invalid',
      });
    }
  });

  it('loads the JWKS once, and again when a token names an unknown key, at most once per interval', async () => {
    const first = await createTestTokens({ ...pool, kid: 'key-1' });
    const rotated = await createTestTokens({ ...pool, kid: 'key-2' });
    let served: Jwks = first.jwks;
    let loads = 0;
    let clock = 1_000_000;
    const verifier = createTokenVerifier({
      ...pool,
      loadJwks: async () => {
        loads++;
        return served;
      },
      logger,
      minRefetchIntervalMs: 10_000,
      now: () => clock,
    });
    expect((await verifier.verifyAccess(await first.accessToken())).ok).toBe(true);
    expect((await verifier.verifyAccess(await first.accessToken())).ok).toBe(true);
    expect(loads).toBe(1);

    // Cognito rotated its key: the first unknown kid after the interval triggers one re-fetch.
    served = { keys: [...first.jwks.keys, ...rotated.jwks.keys] };
    clock += 10_000;
    expect((await verifier.verifyAccess(await rotated.accessToken())).ok).toBe(true);
    expect(loads).toBe(2);

    // A flood of tokens with unknown kids cannot make it fetch more than once per interval.
    const stranger = await createTestTokens({ ...pool, kid: 'key-unknown' });
    for (let i = 0; i < 5; i++) expect((await verifier.verifyAccess(await stranger.accessToken())).ok).toBe(false);
    expect(loads).toBe(2);
    clock += 10_000;
    await verifier.verifyAccess(await stranger.accessToken());
    expect(loads).toBe(3);
  });

  describe('accepted tokens remembered until their exp', () => {
    afterEach(() => {
      vi.useRealTimers();
      vi.restoreAllMocks();
    });

    it('checks a token once, answers it again from memory, and refuses it as expired after its exp', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const tokens = await createTestTokens(pool);
      const verifier = createTokenVerifier({ ...pool, loadJwks: async () => tokens.jwks, logger });
      const checks = vi.spyOn(CognitoJwtVerifier.prototype, 'verifySync');
      const token = await tokens.accessToken({ sub: 's1', username: 'bob', groups: ['operator'], expiresIn: 60 });
      const first = await verifier.verifyAccess(token);
      expect(first).toEqual({ ok: true, claims: { sub: 's1', username: 'bob', groups: ['operator'] } });
      expect(await verifier.verifyAccess(token)).toEqual(first);
      expect(checks).toHaveBeenCalledTimes(1);
      // An access token remembered as such is still not an ID token.
      expect((await verifier.verifyId(token)).ok).toBe(false);

      vi.setSystemTime(Date.now() + 61_000);
      expect(await verifier.verifyAccess(token)).toMatchObject({ ok: false, reason: 'expired' });
    });

    /** A verifier whose pool signs with key-1 first; `serve` changes the JWKS it loads, `advance` its clock. */
    async function rotatingPool() {
      const first = await createTestTokens({ ...pool, kid: 'key-1' });
      const next = await createTestTokens({ ...pool, kid: 'key-2' });
      let served: Jwks = first.jwks;
      let clock = 1_000_000;
      const verifier = createTokenVerifier({
        ...pool,
        loadJwks: async () => served,
        logger,
        minRefetchIntervalMs: 10_000,
        now: () => clock,
      });
      return {
        first,
        next,
        verifier,
        serve: (jwks: Jwks) => (served = jwks),
        advance: (ms: number) => (clock += ms),
      };
    }

    it('judges remembered tokens again once the JWKS is loaded again (a key may have been withdrawn)', async () => {
      const { first, next, verifier, serve, advance } = await rotatingPool();
      const old = await first.accessToken();
      expect((await verifier.verifyAccess(old)).ok).toBe(true);

      // The pool now signs with key-2 only; a token of key-2 makes the verifier load the JWKS again.
      serve(next.jwks);
      advance(10_000);
      expect((await verifier.verifyAccess(await next.accessToken())).ok).toBe(true);
      expect(await verifier.verifyAccess(old)).toMatchObject({ ok: false, reason: 'invalid' });
    });

    it('does not remember a refusal: a token refused for an unknown key is accepted once the key is served', async () => {
      const { first, next, verifier, serve, advance } = await rotatingPool();
      expect((await verifier.verifyAccess(await first.accessToken())).ok).toBe(true);
      const token = await next.accessToken();
      advance(10_000);
      expect((await verifier.verifyAccess(token)).ok).toBe(false);
      serve({ keys: [...first.jwks.keys, ...next.jwks.keys] });
      advance(10_000);
      expect((await verifier.verifyAccess(token)).ok).toBe(true);
    });
  });

  it('throws JwksUnavailableError when the JWKS cannot be loaded, and retries on the next call', async () => {
    const tokens = await createTestTokens(pool);
    let fail = true;
    const verifier = createTokenVerifier({
      ...pool,
      loadJwks: async () => {
        if (fail) throw new Error('connection refused');
        return tokens.jwks;
      },
      logger,
    });
    await expect(verifier.verifyAccess(await tokens.accessToken())).rejects.toBeInstanceOf(JwksUnavailableError);
    fail = false;
    expect((await verifier.verifyAccess(await tokens.accessToken())).ok).toBe(true);
  });
});

describe('fetchJwks', () => {
  it('fetches a JWKS over plain http (as the local cloud serves it) and refuses a non-200', async () => {
    const tokens = await createTestTokens(pool);
    const server = createServer((req, res) => {
      res.statusCode = req.url === '/us-east-1_Verifier1/.well-known/jwks.json' ? 200 : 404;
      res.end(JSON.stringify(tokens.jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await fetchJwks(`${base}/us-east-1_Verifier1/.well-known/jwks.json`)).toEqual(tokens.jwks);
      await expect(fetchJwks(`${base}/nope/.well-known/jwks.json`)).rejects.toThrow(/answered 404, expected 200/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('cognitoJwksUrl', () => {
  it('prefers the service-specific endpoint, then AWS_ENDPOINT_URL, then the public regional endpoint', () => {
    const pool = 'us-east-1_X';
    expect(cognitoJwksUrl({ region: 'us-east-1', userPoolId: pool, cognitoEndpointUrl: 'http://a:1/', awsEndpointUrl: 'http://b:2' })).toBe(
      'http://a:1/us-east-1_X/.well-known/jwks.json',
    );
    expect(cognitoJwksUrl({ region: 'us-east-1', userPoolId: pool, awsEndpointUrl: 'http://localhost:4566' })).toBe(
      'http://localhost:4566/us-east-1_X/.well-known/jwks.json',
    );
    expect(cognitoJwksUrl({ region: 'eu-west-1', userPoolId: pool })).toBe(
      'https://cognito-idp.eu-west-1.amazonaws.com/us-east-1_X/.well-known/jwks.json',
    );
  });
});
