import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import pino from 'pino';
import { rawRequest } from '@fleet/core/http/testing';
import { createGateway } from './gateway.ts';
import { createJwtAuthorizer } from './jwt-authorizer.ts';
import { createHealthChecker } from './health-checks.ts';

const poolId = 'us-east-1_TestPool1';
const clientId = 'testclient';
const issuer = `https://cognito-idp.us-east-1.amazonaws.com/${poolId}`;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const portOf = (url: string) => Number(new URL(url).port);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('gateway', () => {
  const servers: Server[] = [];
  /** Every request a service received: which service, and the target it was sent. */
  const seen: { service: string; url: string }[] = [];
  let gatewayUrl = '';
  let gatewayPort = 0;
  let dataUrl = '';
  let token = '';
  let foreignToken = '';
  let health: ReturnType<typeof createHealthChecker> | undefined;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const jwks = createServer((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
    // Each fake service echoes which service answered and the path it received.
    const echo = (name: string) =>
      createServer((req, res) => {
        seen.push({ service: name, url: req.url ?? '' });
        if (req.url === '/api/slow') return; // never answers
        if (req.url === '/api/early-413') {
          // Answers before reading the body and closes, as Fastify does above its body limit.
          res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
          return res.end(JSON.stringify({ code: 'PayloadTooLarge', message: 'from the service' }));
        }
        let size = 0;
        req.on('data', (chunk: Buffer) => (size += chunk.length));
        req.on('end', () => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ service: name, url: req.url, size, forwardedFor: req.headers['x-forwarded-for'] }));
        });
      });
    const frontendServer = echo('frontend');
    const apiServer = echo('api');
    const dataServer = echo('data');
    servers.push(jwks, frontendServer, apiServer, dataServer);
    const [jwksUrl, frontend, api, data] = await Promise.all([listen(jwks), listen(frontendServer), listen(apiServer), listen(dataServer)]);
    dataUrl = data ?? '';
    const down = createServer();
    const downUrl = await listen(down);
    await new Promise<void>((resolve) => down.close(() => resolve()));
    const sign = (iss: string) =>
      new SignJWT({ token_use: 'access', client_id: clientId, username: 'alice', scope: 'aws.cognito.signin.user.admin' })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(iss)
        .setSubject('user-1')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
    token = await sign(issuer);
    foreignToken = await sign('https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other');
    // The data service is "down" for the health tests; the data echo server is reached with //host targets only.
    const targets = { frontend: frontend ?? '', api: api ?? '', data: downUrl };
    health = createHealthChecker([{ name: 'data', baseUrl: downUrl, healthPath: '/data/health' }], {
      intervalMs: 60_000,
      unhealthyThreshold: 1,
    });
    const gateway = createGateway({
      targets,
      authorizer: createJwtAuthorizer({ userPoolId: poolId, clientId, jwksUrl: `${jwksUrl}/${poolId}/.well-known/jwks.json` }),
      health,
      log: pino({ level: 'silent' }),
      upstreamTimeoutMs: 300,
    });
    servers.push(gateway);
    gatewayUrl = await listen(gateway);
    gatewayPort = portOf(gatewayUrl);
  });

  afterAll(async () => {
    health?.stop();
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it('sends the default route to the frontend with the full path', async () => {
    const body = (await (await fetch(`${gatewayUrl}/devices/abc?x=1`)).json()) as { service: string; url: string };
    expect(body).toMatchObject({ service: 'frontend', url: '/devices/abc?x=1' });
  });

  it("never routes the Data Service's internal paths: they fall to the default route", async () => {
    const body = (await (await fetch(`${gatewayUrl}/internal/dead-letters/replay`, { method: 'POST' })).json()) as { service: string };
    expect(body.service).toBe('frontend');
  });

  it('answers 400 to a target that names another host, and forwards nothing', async () => {
    const host = new URL(dataUrl).host;
    for (const target of [`//${host}/internal/dead-letters/replay`, `/\\${host}/internal/x`, `http://${host}/internal/x`, '*']) {
      const answer = await rawRequest(gatewayPort, `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      expect(answer.status, target).toBe(400);
      expect(JSON.parse(answer.body), target).toMatchObject({ code: 'MalformedRequest', message: expect.stringContaining('origin-form') });
    }
    expect(seen).toEqual([]);
  });

  it('answers 400 to dot segments and encoded slashes, and forwards a normalized path', async () => {
    for (const target of ['/api/../internal/x', '/api/%2e%2E/internal', '/data/devices%2Fx/latest', '/a//b']) {
      const answer = await rawRequest(gatewayPort, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(answer.status, target).toBe(400);
    }
    const res = await rawRequest(gatewayPort, 'GET /devices/%61b%2a?q=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(JSON.parse(res.body)).toMatchObject({ service: 'frontend', url: '/devices/ab%2A?q=%zz' });
  });

  it('answers an HTTP/0.9 request at once with 400 instead of holding the connection', async () => {
    const answer = await rawRequest(gatewayPort, 'GET /\r\n', { waitMs: 5_000 });
    expect(answer).toMatchObject({ status: 400, closed: true });
    expect(answer.elapsedMs).toBeLessThan(2_000);
  });

  it('answers 401 with { code, message } and a Bearer challenge on a protected route without a token', async () => {
    const res = await fetch(`${gatewayUrl}/api/devices`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 'Unauthorized', message: 'Missing bearer token in the Authorization header' });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('answers 401, not 500, to a malformed token whose claims hold characters a header cannot carry', async () => {
    for (const claims of [{ iss: 'x\ny' }, { iss: 'é' }, { iss: issuer, client_id: '"\r\n' }]) {
      const malformed = `${b64({ alg: 'RS256', kid: 'k1' })}.${b64(claims)}.${b64('sig')}`;
      const res = await fetch(`${gatewayUrl}/api/devices`, { headers: { authorization: `Bearer ${malformed}` } });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ code: 'Unauthorized', message: 'The access token is invalid' });
    }
  });

  it('rejects a token of another user pool', async () => {
    const res = await fetch(`${gatewayUrl}/api/devices`, { headers: { authorization: `Bearer ${foreignToken}` } });
    expect(res.status).toBe(401);
  });

  it('forwards a protected route with a valid access token', async () => {
    const res = await fetch(`${gatewayUrl}/api/devices`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ service: 'api', url: '/api/devices', forwardedFor: '127.0.0.1' });
  });

  it('lets public paths of a protected route through without a token', async () => {
    const res = await fetch(`${gatewayUrl}/api/health`);
    expect(await res.json()).toMatchObject({ service: 'api', url: '/api/health' });
  });

  it("answers 413 JSON to a body above the route's limit, declared or streamed, without reaching the service", async () => {
    const auth = { authorization: `Bearer ${token}` };
    // /api/* takes up to 8 MiB (the device import's CSV file).
    for (const size of [9_000_000, 12_000_000]) {
      const res = await fetch(`${gatewayUrl}/api/devices`, { method: 'POST', headers: auth, body: 'x'.repeat(size) });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ code: 'PayloadTooLarge' });
    }
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 40; i++) controller.enqueue(new Uint8Array(256 * 1024));
        controller.close();
      },
    });
    const streamed = await fetch(`${gatewayUrl}/api/devices`, {
      method: 'POST',
      headers: auth,
      body: chunks,
      duplex: 'half',
    });
    expect(streamed.status).toBe(413);
    expect(seen).toEqual([]);
    const small = await fetch(`${gatewayUrl}/api/devices`, { method: 'POST', headers: auth, body: 'x'.repeat(1000) });
    expect(await small.json()).toMatchObject({ service: 'api', size: 1000 });
  });

  it('relays a service that answers before reading the body, instead of a reset or 502', async () => {
    const res = await fetch(`${gatewayUrl}/api/early-413`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: 'x'.repeat(60_000),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ code: 'PayloadTooLarge', message: 'from the service' });
  });

  it('answers 504 when the target does not answer in time', async () => {
    const res = await fetch(`${gatewayUrl}/api/slow`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ code: 'GatewayTimeout' });
  });

  it('answers 502 when the target cannot be reached and 503 once it is unhealthy', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const unreachable = await fetch(`${gatewayUrl}/data/devices/x/latest`, { headers: auth });
    expect(unreachable.status).toBe(502);
    expect(await unreachable.json()).toMatchObject({ code: 'BadGateway' });
    // One failed health check (threshold 1) marks the target unhealthy, as an ALB target group would.
    await health?.checkNow();
    expect(health?.health('data')).toBe('unhealthy');
    const res = await fetch(`${gatewayUrl}/data/devices/x/latest`, { headers: auth });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'ServiceUnavailable' });
  });
});
