/**
 * Fuzz suite of the API's inputs (fast-check, in process with `app.inject`): arbitrary bodies,
 * query strings, path parameters and content types on every route of the OpenAPI document, sent by
 * an admin so that they reach validation and the handlers. Whatever is sent, the answer comes
 * quickly, is never a 5xx, and every error is `{ code, message }` of the one closed set, with a
 * code the OpenAPI document lists for that operation and status.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { defaultRetentionSettings } from '@fleet/core';
import { unclearAnswer } from '@fleet/core/http/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './test-support/test-app.ts';

let t: TestApp;
let dataService: Server;
let admin = '';
/** Every operation of the OpenAPI document: method, path template, and the error codes it documents by status. */
let operations: { method: string; path: string; errors: Record<string, string[]> }[] = [];

beforeAll(async () => {
  // A Data Service that answers every relayed query in its contract's shape: the fuzz is about the API's own inputs.
  const answers: Readonly<Record<string, unknown>> = {
    '/data/dead-letters': { deadLetters: [] },
    '/internal/dead-letters/replay': {
      errorAction: { replayed: 0, skipped: 0, remaining: false },
      deadLetterQueue: { status: 'NOTHING_TO_MOVE', moved: 0, toMove: 0 },
    },
    '/data/device-status-counts': {
      online: 0,
      silent: 0,
      offline: 0,
      total: 0,
      silentAfterMs: 600_000,
      countedAt: '2026-01-01T00:00:00.000Z',
    },
  };
  const definition = {
    id: 'def-1',
    name: 'n',
    scope: { kind: 'fleet' },
    condition: { kind: 'noData', silentMinutes: 5 },
    duration: { kind: 'immediate' },
    severity: 'minor',
    enabled: true,
    autoClear: true,
    createdBy: 'fuzz-admin',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
  };
  const alarm = {
    definitionId: 'def-1',
    deviceId: 'd',
    occurrence: 1,
    name: 'n',
    severity: 'minor',
    status: 'CLEARED',
    reason: 'r',
    activeAt: '2026-01-01T00:00:00.000Z',
  };
  /** The alarm routes' answers, by method and path (204 for those that answer no content). */
  const alarmAnswer = (method: string, path: string): { status: number; body?: unknown } | undefined => {
    if (path === '/data/alarm-definitions') return { status: 200, body: method === 'GET' ? { definitions: [] } : definition };
    if (path.startsWith('/data/alarm-definitions/')) return method === 'DELETE' ? { status: 204 } : { status: 200, body: definition };
    if (path === '/data/alarms') return { status: 200, body: { alarms: [] } };
    if (path.startsWith('/data/alarms/')) return { status: 200, body: alarm };
    if (path === '/data/alarm-events') return { status: 200, body: { events: [], unread: 0 } };
    if (path === '/data/alarm-events/read') return { status: 204 };
    return undefined;
  };
  const job = {
    id: 'job-fuzz-0001',
    input: { kind: 'replay', from: 0, to: 3_600_000 },
    status: 'queued',
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy: 'fuzz-admin',
    updatedAt: '2026-01-01T00:00:00.000Z',
    progress: { done: 0, unit: 'objects' },
  };
  const usage = {
    measuredAt: '2026-01-01T00:00:00.000Z',
    volumes: [],
    model: { devices: 0, readingsPerSecond: 0, monthlyUsd: 0, perMillionReadingsUsd: 0, lines: [], pricesAsOf: '2026-11-01' },
  };
  /** The data's life routes' answers (issue 13), by path. */
  const dataLifeAnswer = (path: string): { status: number; body?: unknown } | undefined => {
    if (path === '/data/retention') return { status: 200, body: defaultRetentionSettings };
    if (path === '/data/data-usage') return { status: 200, body: usage };
    if (path === '/data/data-jobs') return { status: 200, body: { jobs: [] } };
    if (path.startsWith('/data/data-jobs/')) return { status: 200, body: job };
    return undefined;
  };
  dataService = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://data');
    // The deployment's root CA URL (config `iotCaUrl`, below), served by the same stand-in.
    if (url.pathname === '/ca.pem') {
      res.end('-----BEGIN CERTIFICATE-----\nMIIroot\n-----END CERTIFICATE-----\n');
      return;
    }
    res.setHeader('content-type', 'application/json');
    const alarmAnswered = alarmAnswer(req.method ?? 'GET', url.pathname) ?? dataLifeAnswer(url.pathname);
    if (alarmAnswered) {
      res.statusCode = alarmAnswered.status;
      res.end(alarmAnswered.body === undefined ? undefined : JSON.stringify(alarmAnswered.body));
      return;
    }
    const ids = url.searchParams.get('ids')?.split(',') ?? [];
    const states = { devices: ids.map((deviceId) => ({ deviceId, online: false })) };
    res.end(JSON.stringify(url.pathname === '/data/device-states' ? states : (answers[url.pathname] ?? {})));
  });
  await new Promise<void>((resolve) => dataService.listen(0, '127.0.0.1', resolve));
  const stub = `http://127.0.0.1:${(dataService.address() as AddressInfo).port}`;
  t = await startTestApp({ config: { dataServiceUrl: stub, iotCaUrl: `${stub}/ca.pem` } });
  admin = await t.bearer({ username: 'fuzz-admin', groups: ['admin'] });
  type Responses = Record<string, { content?: { 'application/json'?: { schema?: { properties?: { code?: { enum?: string[] } } } } } }>;
  const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
    paths: Record<string, Record<string, { responses: Responses }>>;
  }>();
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([m, op]) => ({
      method: m.toUpperCase(),
      path,
      errors: Object.fromEntries(
        Object.entries(op.responses).map(([status, r]) => [status, r.content?.['application/json']?.schema?.properties?.code?.enum ?? []]),
      ),
    })),
  );
});
afterAll(async () => {
  await t.close();
  await new Promise((resolve) => dataService.close(resolve));
});

/** Fails a request that takes longer than this: a hang. */
const answerWithinMs = 5_000;

async function send(options: { method: string; url: string; headers: Record<string, string>; payload?: string | Buffer }) {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${options.method} ${options.url} did not answer in ${answerWithinMs} ms`)), answerWithinMs);
  });
  try {
    return await Promise.race([t.app.inject({ ...options, method: options.method as 'GET' }), hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** A path parameter: valid ids and names, unicode, escapes, dots, slashes, the empty string, long ones. */
const pathParam = fc.oneof(
  fc.stringMatching(/^[a-z0-9_-]{1,64}$/),
  fc.string({ maxLength: 80 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent),
  fc.constantFrom('..', '.', '%', '%zz', '%00', '%2F', 'a%2Fb', '', 'x'.repeat(300), '%C0%AF', '__proto__', 'constructor'),
);

/** A query string: the documented names with wrong values, unknown names, repeats, raw escapes. */
const queryString = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom('limit', 'cursor', 'from', 'to', 'maxPoints', 'metrics', '__proto__'), fc.string({ maxLength: 12 })),
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.integer().map(String),
          fc.double().map(String),
          fc.constantFrom('', '-1', '0', '1e3', '2001', 'NaN', 'true', '[]'),
        ),
      ),
      { maxLength: 5 },
    )
    .map((pairs) => new URLSearchParams(pairs).toString()),
  fc.constantFrom('%', '%zz', '&&&', '=', 'limit', 'limit=5&limit=6', `cursor=${'c'.repeat(3000)}`),
);

/** A body: JSON of any shape, objects with the fields routes know holding any JSON, raw text and raw bytes. */
const knownFields = fc.record(
  {
    name: fc.jsonValue(),
    deviceId: fc.jsonValue(),
    role: fc.oneof(fc.constantFrom('admin', 'operator', 'viewer', ['admin']), fc.jsonValue()),
    email: fc.oneof(fc.emailAddress(), fc.jsonValue()),
    command: fc.oneof(fc.constantFrom('reboot', 'set.interval'), fc.jsonValue()),
    args: fc.jsonValue(),
    idToken: fc.oneof(fc.string(), fc.jsonValue()),
  },
  { requiredKeys: [] },
);
/** Fields with the right types (often a valid body), so that the handlers behind validation run too. */
const wellTypedFields = fc.record(
  {
    name: fc.string({ minLength: 1, maxLength: 130 }),
    deviceId: fc.oneof(fc.stringMatching(/^[a-z0-9_-]{1,64}$/), fc.string({ maxLength: 70 })),
    role: fc.constantFrom('admin', 'operator', 'viewer'),
    email: fc.oneof(fc.emailAddress(), fc.string({ maxLength: 300 })),
    command: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,70}$/),
    args: fc.dictionary(fc.string({ maxLength: 70 }), fc.jsonValue(), { maxKeys: 40 }),
    idToken: fc.string({ minLength: 1, maxLength: 9000 }),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  knownFields.map((v) => JSON.stringify(v)),
  wellTypedFields.map((v) => JSON.stringify(v)),
  wellTypedFields.map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom('', '{', 'null', '[]', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '\uFEFF{}'),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  undefined,
);

describe('fuzzing every API route', () => {
  it('answers any body, query string, path parameter and content type quickly, below 500, with { code, message }', async () => {
    expect(operations.length).toBeGreaterThan(10);
    const answered = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(pathParam, { minLength: 2, maxLength: 2 }),
        queryString,
        fc.option(body, { nil: undefined }),
        contentType,
        async (pick, params, query, payload, type) => {
          const op = operations[pick % operations.length]!;
          let i = 0;
          const path = op.path.replace(/\{[^}]+\}/g, () => params[i++ % params.length]!);
          const url = query ? `${path}?${query}` : path;
          const headers: Record<string, string> = { authorization: admin, ...(type ? { 'content-type': type } : {}) };
          const res = await send({ method: op.method, url, headers, ...(payload === undefined ? {} : { payload }) });
          answered.add(`${op.method} ${op.path} ${res.statusCode}`);
          const problem = unclearAnswer(res.statusCode, res.body, { headers: res.headers as Record<string, string> });
          if (problem) throw new Error(`${op.method} ${url.slice(0, 200)}: ${problem}`);
          // A path the router did not match answers NotFound from the app's not-found handler, no operation's.
          const code = res.statusCode >= 400 ? res.json<{ code: string }>().code : undefined;
          if (code && code !== 'NotFound' && !(op.errors[String(res.statusCode)] ?? []).includes(code)) {
            throw new Error(
              `${op.method} ${url.slice(0, 200)} answered ${res.statusCode} ${code}, which ${op.method} ${op.path} does not document`,
            );
          }
        },
      ),
      { numRuns: 400 },
    );
    // The inputs reached the handlers too, not only validation: some operations succeeded.
    expect([...answered].filter((a) => / 2\d\d$/.test(a)).length).toBeGreaterThan(3);
  }, 120_000);

  it('answers a body over the route limit with 413 PayloadTooLarge, whatever its content', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/devices', '/api/users', '/api/me/live-access'),
        fc.integer({ min: 17, max: 2048 }),
        async (url, kib) => {
          const res = await send({
            method: 'POST',
            url,
            headers: { authorization: admin, 'content-type': 'application/json' },
            payload: JSON.stringify({ name: 'x'.repeat(kib * 1024) }),
          });
          expect(res.statusCode).toBe(413);
          expect(unclearAnswer(res.statusCode, res.body)).toBeUndefined();
        },
      ),
      { numRuns: 20 },
    );
  }, 60_000);
});
