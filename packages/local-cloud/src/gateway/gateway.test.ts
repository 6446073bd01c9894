import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import pino from 'pino';
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

describe('gateway', () => {
  const servers: Server[] = [];
  let gatewayUrl = '';
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
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ service: name, url: req.url, forwardedFor: req.headers['x-forwarded-for'] }));
      });
    const frontendServer = echo('frontend');
    const apiServer = echo('api');
    servers.push(jwks, frontendServer, apiServer);
    const [jwksUrl, frontend, api] = await Promise.all([listen(jwks), listen(frontendServer), listen(apiServer)]);
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
    const targets = { frontend, api, data: downUrl };
    health = createHealthChecker([{ name: 'data', baseUrl: downUrl, healthPath: '/data/health' }], {
      intervalMs: 60_000,
      unhealthyThreshold: 1,
    });
    const gateway = createGateway({
      targets,
      authorizer: createJwtAuthorizer({ userPoolId: poolId, clientId, jwksUrl: `${jwksUrl}/${poolId}/.well-known/jwks.json` }),
      health,
      log: pino({ level: 'silent' }),
    });
    servers.push(gateway);
    gatewayUrl = await listen(gateway);
  });

  afterAll(async () => {
    health?.stop();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('sends the default route to the frontend with the full path', async () => {
    const body = (await (await fetch(`${gatewayUrl}/devices/abc?x=1`)).json()) as { service: string; url: string };
    expect(body).toMatchObject({ service: 'frontend', url: '/devices/abc?x=1' });
  });

  it("never routes the Data Service's internal paths: they fall to the default route", async () => {
    const body = (await (await fetch(`${gatewayUrl}/internal/dead-letters/replay`, { method: 'POST' })).json()) as { service: string };
    expect(body.service).toBe('frontend');
  });

  it('answers 401 on a protected route without a token, as API Gateway does', async () => {
    const res = await fetch(`${gatewayUrl}/api/devices`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'Unauthorized' });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
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

  it('answers 502 when the target cannot be reached and 503 once it is unhealthy', async () => {
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${gatewayUrl}/data/devices/x/latest`, { headers: auth })).status).toBe(502);
    // One failed health check (threshold 1) marks the target unhealthy, as an ALB target group would.
    await health?.checkNow();
    expect(health?.health('data')).toBe('unhealthy');
    const res = await fetch(`${gatewayUrl}/data/devices/x/latest`, { headers: auth });
    expect(res.status).toBe(503);
  });
});
