/**
 * Fuzz suite of the gateway over real sockets (fast-check): request targets of every form a client
 * can put on the wire (`//host`, `/\`, absolute-form, `*`, dot segments plain and encoded, CR/LF,
 * spaces, non-ASCII bytes, broken escapes) and arbitrary Authorization headers. Whatever is sent:
 * an answer comes at once, it is never a 5xx, every error is `{ code, message }`, and a service
 * only ever receives a normalized origin-form path of its own route, with a token where one is due.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { exportJWK, generateKeyPair } from 'jose';
import pino from 'pino';
import { rawRequest, unclearAnswer } from '@fleet/core/http/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from './gateway.ts';
import { createJwtAuthorizer } from './jwt-authorizer.ts';

const poolId = 'us-east-1_FuzzPool1';
const servers: Server[] = [];
/** What each fake service received. */
const received: { service: string; url: string; authorized: boolean }[] = [];
let gatewayPort = 0;
let dataHost = '';

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const { publicKey } = await generateKeyPair('RS256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  const jwksUrl = await listen(createServer((_req, res) => res.end(JSON.stringify(jwks))));
  const service = (name: string) =>
    createServer((req, res) => {
      received.push({ service: name, url: req.url ?? '', authorized: req.headers.authorization !== undefined });
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  const [frontend, api, data] = [await listen(service('frontend')), await listen(service('api')), await listen(service('data'))];
  dataHost = new URL(data).host;
  const gateway = createGateway({
    targets: { frontend, api, data },
    authorizer: createJwtAuthorizer({ userPoolId: poolId, clientId: 'fuzz', jwksUrl: `${jwksUrl}/${poolId}/.well-known/jwks.json` }),
    log: pino({ level: 'silent' }),
  });
  gatewayPort = Number(new URL(await listen(gateway)).port);
});

afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A path every service may receive: origin-form, normalized, on the service's own route. */
function receivable(service: string, url: string): boolean {
  const path = url.split('?')[0] ?? '';
  const segments = path.split('/').slice(1);
  const normalized =
    path.startsWith('/') &&
    !path.includes('\\') &&
    segments.every((s, i) => (s !== '' || i === segments.length - 1) && s !== '.' && s !== '..' && !/%(2[eEfF]|5[cC])/.test(s));
  const own =
    service === 'api'
      ? path === '/api' || path.startsWith('/api/')
      : service === 'data'
        ? path === '/data' || path.startsWith('/data/')
        : !/^\/(api|data)(\/|$)/.test(path);
  return normalized && own;
}

const publicPaths = /^\/(api\/(health|docs|openapi\.json)|data\/health)(\/|$|\?)/;

/** Pieces of request targets, hostile and ordinary. */
const piece = fc.oneof(
  fc.constantFrom(
    '/',
    '//',
    '/\\',
    '\\',
    '..',
    '.',
    '%2e%2e',
    '%2E',
    '%2f',
    '%2F',
    '%5c',
    '%',
    '%zz',
    '%0',
    '%00',
    '?',
    '#',
    '*',
    ' ',
    '\t',
  ),
  fc.constantFrom(
    '\r\n',
    '\n',
    '\r',
    'é',
    '\u0000',
    '\u00ff',
    '\u2028',
    '🙂',
    'api',
    'data',
    'internal',
    'health',
    'dead-letters',
    'replay',
  ),
  fc.constantFrom(`http://${'127.0.0.1'}`, 'https://example.com', '//127.0.0.1', '@', ':80'),
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
);
const target = fc.oneof(
  fc.array(piece, { minLength: 1, maxLength: 10 }).map((parts) => parts.join('')),
  fc.array(piece, { maxLength: 8 }).map((parts) => `/${parts.join('/')}`),
  fc.constantFrom('*', '//DATA/internal/dead-letters/replay', '/\\DATA/internal/x', 'http://DATA/internal/x', `/${'a'.repeat(9000)}`),
);

describe('fuzzing the gateway over a socket', () => {
  it('answers every request target at once, below 500, and forwards only normalized paths of the route', async () => {
    await fc.assert(
      fc.asyncProperty(target, fc.constantFrom('GET', 'POST', 'OPTIONS', 'DELETE'), async (raw, method) => {
        const t = raw.replaceAll('DATA', dataHost);
        received.length = 0;
        const request = Buffer.from(`${method} ${t} HTTP/1.1\r\nHost: fleet\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, 'utf8');
        const answer = await rawRequest(gatewayPort, request, { waitMs: 3_000 });
        const problem = unclearAnswer(answer.status, answer.body, { headers: answer.headers });
        if (problem) throw new Error(`${method} ${JSON.stringify(t.slice(0, 120))}: ${problem}`);
        expect(answer.closed, 'the connection was held open').toBe(true);
        for (const r of received) {
          if (!receivable(r.service, r.url)) throw new Error(`${JSON.stringify(t)} reached ${r.service} as ${JSON.stringify(r.url)}`);
          if (r.service !== 'frontend' && !publicPaths.test(r.url))
            throw new Error(`${JSON.stringify(t)} reached ${r.service} without a token`);
        }
      }),
      { numRuns: 400 },
    );
  }, 120_000);

  it('answers any Authorization header on a protected route with 401 { code, message }, forwarding nothing', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const header = fc.oneof(
      fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 }),
      fc.tuple(fc.jsonValue(), fc.jsonValue()).map(([h, p]) => `Bearer ${b64(h)}.${b64(p)}.${b64('sig')}`),
      fc.jsonValue().map((claims) => `Bearer ${b64({ alg: 'RS256', kid: 'k1' })}.${b64(claims)}.c2ln`),
      fc.constant(`Bearer ${'a'.repeat(10_000)}`),
    );
    await fc.assert(
      fc.asyncProperty(
        header,
        fc.constantFrom('/api/devices', '/data/devices/x/latest', '/data/dead-letters'),
        async (authorization, path) => {
          received.length = 0;
          const answer = await rawRequest(
            gatewayPort,
            `GET ${path} HTTP/1.1\r\nHost: fleet\r\nAuthorization: ${authorization}\r\nConnection: close\r\n\r\n`,
            { waitMs: 3_000 },
          );
          const problem = unclearAnswer(answer.status, answer.body, { headers: answer.headers });
          if (problem) throw new Error(`${JSON.stringify(authorization.slice(0, 120))}: ${problem}`);
          expect(answer.status).toBe(401);
          expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm="fleet"/);
          expect(received).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  }, 60_000);
});
