/** The HTTP layer alone: callers, schemas, error shapes and pagination, over in-memory store doubles. */
import {
  answerChecker,
  DeviceStatesSchema,
  errorAnswerSchema,
  LatestValuesSchema,
  RawReadingsPageSchema,
  ReadingIntervalsSchema,
  type DeviceState,
} from '@fleet/core';
import type { InjectOptions } from 'fastify';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, queryLimits, type AppOptions } from './app.ts';
import type { DeadLetterStore } from './dead-letters.ts';
import type { DeviceStateReader } from './device-states.ts';
import type { LatestStore } from './latest-store.ts';
import type { StoredReading, TelemetryQuery, TelemetryStore } from './telemetry-store.ts';
import { createTestCallers, type TestCallers } from './testing/test-callers.ts';

const logger = pino({ level: 'silent' });

function memoryTelemetry(readings: StoredReading[]): TelemetryStore {
  return {
    write: async () => ({ stored: 0, duplicates: 0, failed: [] }),
    writeHistorical: async () => ({ stored: 0, duplicates: 0, failed: [] }),
    async *query({ from, to, after }: TelemetryQuery) {
      for (const r of readings) {
        if (r.ts < from || r.ts > to) continue;
        if (after && (r.ts < after.ts || (r.ts === after.ts && r.seq <= after.seq))) continue;
        yield r;
      }
    },
  };
}

const latest: LatestStore = {
  write: async () => ({ updated: 0, older: 0, failed: [] }),
  get: async (deviceId) => (deviceId === 'dev-1' ? { deviceId, ts: 5, seq: 1, values: { t: 1 }, receivedAt: 6 } : undefined),
};
const deadLetters: DeadLetterStore = {
  write: async () => 'key',
  listRecent: async () => [],
};

const readings = Array.from({ length: 25 }, (_, i) => ({ ts: 1000 + i * 10, seq: i, values: { t: i } }));
/** dev-1 is online with a latest reading, dev-2 went offline before publishing; nothing is known of others. */
const knownStates: Record<string, DeviceState> = {
  'dev-1': {
    deviceId: 'dev-1',
    online: true,
    lastSeenAt: '2026-01-02T00:00:00.000Z',
    connectedAt: '2026-01-02T00:00:00.000Z',
    latest: { ts: 5, seq: 1, values: { t: 1 }, receivedAt: 6 },
  },
  'dev-2': { deviceId: 'dev-2', online: false, lastSeenAt: '2026-01-03T00:00:00.000Z', disconnectReason: 'CLIENT_INITIATED_DISCONNECT' },
};
const states: DeviceStateReader = {
  getMany: async (ids) => ids.map((deviceId) => knownStates[deviceId] ?? { deviceId, online: false }),
};
let callers: TestCallers;
let build: (overrides?: Partial<AppOptions>) => ReturnType<typeof buildApp>;
let app: ReturnType<typeof buildApp>;
/** `app.inject` as a signed-in user in `groups` (a viewer unless told). */
const as = async (options: InjectOptions | string, groups: string[] = ['viewer'], target = app) =>
  target.inject({ ...(typeof options === 'string' ? { url: options } : options), headers: await callers.headers(groups) });

beforeAll(async () => {
  callers = await createTestCallers();
  build = (overrides = {}) =>
    buildApp({ logger, verifier: callers.verifier, states, telemetry: memoryTelemetry(readings), latest, deadLetters, ...overrides });
  app = build();
});

describe('who may call the Data Service', () => {
  const routes: InjectOptions[] = [
    { url: '/data/devices/dev-1/latest' },
    { url: '/data/devices/dev-1/readings' },
    { url: '/data/devices/dev-1/readings/raw' },
    { url: '/data/device-states?ids=dev-1' },
    { url: '/data/dead-letters' },
    { method: 'POST', url: '/internal/dead-letters/replay' },
  ];

  it('answers 401 with a Bearer challenge to every route but health without a valid token', async () => {
    for (const route of routes) {
      for (const authorization of [undefined, 'Bearer not.a.token', `Bearer ${await callers.tokens.accessToken({ expiresIn: -5 })}`]) {
        const res = await app.inject({ ...route, headers: authorization ? { authorization } : {} });
        expect(res.statusCode, `${route.url} ${authorization}`).toBe(401);
        expect(res.json()).toMatchObject({ code: 'Unauthorized' });
        expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="fleet"/);
      }
    }
    expect((await app.inject({ url: '/data/health' })).statusCode).toBe(200);
  });

  it('judges roles as the API does: dead letters for operators, replay for admins only', async () => {
    const status = async (route: InjectOptions, groups: string[]) => (await as(route, groups)).statusCode;
    expect(await status({ url: '/data/dead-letters' }, ['viewer'])).toBe(403);
    expect(await status({ url: '/data/dead-letters' }, [])).toBe(403);
    expect(await status({ url: '/data/dead-letters' }, ['operator'])).toBe(200);
    const replay = { method: 'POST' as const, url: '/internal/dead-letters/replay' };
    expect(await status(replay, ['viewer'])).toBe(403);
    expect(await status(replay, ['operator'])).toBe(403);
    // An admin passes the check; this app has no replayer.
    expect(await status(replay, ['admin'])).toBe(501);
    const refused = await as(replay, ['operator']);
    expect(refused.json()).toEqual({ code: 'Forbidden', message: 'Role "operator" may not replay dead letters' });
  });

  it('refuses a token of another user pool', async () => {
    const res = await app.inject({
      url: '/data/devices/dev-1/latest',
      headers: {
        authorization: `Bearer ${await callers.tokens.accessToken({ issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' })}`,
      },
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('data HTTP API', () => {
  it('answers liveness, and readiness with the report of its probes, without a token', async () => {
    const live = await app.inject({ url: '/data/health/live' });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ status: 'ok' });
    const res = await app.inject({ url: '/data/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', service: 'data', checks: [] });
  });

  it('returns the latest values of a device, and 404 NoReadings for a device without readings', async () => {
    expect((await as('/data/devices/dev-1/latest')).json()).toEqual({
      deviceId: 'dev-1',
      ts: 5,
      seq: 1,
      values: { t: 1 },
      receivedAt: 6,
    });
    const missing = await as('/data/devices/dev-2/latest');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 'NoReadings', message: 'No reading stored for device "dev-2"' });
  });

  it('holds telemetry, not registrations: a device id it knows nothing of has no latest and empty ranges', async () => {
    // Whether "ghost" is registered is the API Service's answer (DeviceNotFound), before it relays.
    expect((await as('/data/devices/ghost/latest')).json()).toMatchObject({ code: 'NoReadings' });
    expect((await as('/data/devices/ghost/readings/raw')).json()).toEqual({ deviceId: 'ghost', readings: [] });
  });

  it('answers the state of many devices in one call, in the order asked, offline for devices it knows nothing of', async () => {
    const res = await as('/data/device-states?ids=dev-2,ghost,dev-1');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ devices: [knownStates['dev-2'], { deviceId: 'ghost', online: false }, knownStates['dev-1']] });
  });

  it('takes at most 100 well-formed device ids per state call', async () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `d${i}`).join(',');
    expect((await as(`/data/device-states?ids=${ids(100)}`)).json<{ devices: unknown[] }>().devices).toHaveLength(100);
    for (const query of [`ids=${ids(101)}`, 'ids=', 'ids=a,,b', 'ids=bad%20id', 'ids=a&ids=b', '']) {
      const res = await as(`/data/device-states?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().code, query).toBe('ValidationError');
    }
  });

  it('rejects bad input with 400 { code, message }', async () => {
    for (const url of [
      '/data/devices/dev-1/readings?from=abc&to=5',
      '/data/devices/dev-1/readings?from=2024-13-45T00:00:00Z&to=5',
      '/data/devices/dev-1/readings?from=-5&to=5',
      '/data/devices/dev-1/readings?from=0&to=10&maxPoints=2001',
      '/data/devices/dev-1/readings?from=0&to=10&metrics=a,,b',
      '/data/devices/dev-1/readings?from=10&to=5',
      `/data/devices/dev-1/readings?from=0&to=${queryLimits.maxRangeMs + 1}`,
      '/data/devices/bad%20id/readings?from=0&to=5',
      '/data/devices/dev-1/readings/raw?from=0&to=5&cursor=bm9wZQ',
      '/data/devices/dev-1/readings/raw?from=0&to=5&limit=0',
    ]) {
      const res = await as(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toEqual({ code: 'ValidationError', message: expect.any(String) });
    }
  });

  it('answers 404 { code, message } for an unknown route', async () => {
    const res = await as('/data/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'NotFound' });
  });

  it('hides the details of a server error', async () => {
    const failing = build({ latest: { ...latest, get: async () => Promise.reject(new Error('secret table name fleet-latest-xyz')) } });
    const res = await as('/data/devices/dev-1/latest', ['viewer'], failing);
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ code: 'InternalError', message: expect.not.stringContaining('secret') });
  });

  it('pages raw readings with a cursor until every reading was returned once', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await as({
        url: '/data/devices/dev-1/readings/raw',
        query: { from: '0', to: '5000', limit: '10', ...(cursor ? { cursor } : {}) },
      });
      const body = res.json<{ readings: StoredReading[]; nextCursor?: string }>();
      seen.push(...body.readings.map((r) => r.seq));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(readings.map((r) => r.seq));
  });

  it('downsamples with maxPoints defaulting to 500 and filters metrics', async () => {
    const res = await as('/data/devices/dev-1/readings?from=1000&to=1249&maxPoints=5');
    const body = res.json<{ intervalMs: number; metrics: Record<string, { count: number }[]> }>();
    expect(body.intervalMs).toBe(50);
    expect(body.metrics['t']!.map((i) => i.count)).toEqual([5, 5, 5, 5, 5]);
    const none = await as('/data/devices/dev-1/readings?from=1000&to=1249&metrics=other');
    expect(none.json()).toMatchObject({ intervalMs: 1, metrics: { other: [] } });
  });

  it('accepts ISO 8601 times as well as epoch milliseconds, and defaults to the last 24 hours', async () => {
    const iso = await as('/data/devices/dev-1/readings/raw?from=1970-01-01T00:00:01.000Z&to=1970-01-01T00:00:01.050Z');
    expect(iso.statusCode).toBe(200);
    expect(iso.json<{ readings: StoredReading[] }>().readings.map((r) => r.ts)).toEqual([1000, 1010, 1020, 1030, 1040, 1050]);
    const defaults = await as('/data/devices/dev-1/readings');
    expect(defaults.statusCode).toBe(200);
    const body = defaults.json<{ from: number; to: number }>();
    expect(body.to - body.from).toBe(86_400_000);
    expect(Math.abs(body.to - Date.now())).toBeLessThan(5000);
  });

  it('answers 501 for replay when no replayer is configured', async () => {
    const res = await as({ method: 'POST', url: '/internal/dead-letters/replay' }, ['admin']);
    expect(res.statusCode).toBe(501);
    expect(res.json()).toMatchObject({ code: 'NotImplemented' });
  });
});

describe('answers in the @fleet/core contracts', () => {
  it('answers every query in the shape of its contract, and every error in the error contract', async () => {
    const answers = [
      { url: '/data/devices/dev-1/latest', schema: LatestValuesSchema },
      { url: '/data/devices/dev-1/readings?from=1000&to=1249&maxPoints=5', schema: ReadingIntervalsSchema },
      { url: '/data/devices/dev-1/readings/raw?from=0&to=5000&limit=10', schema: RawReadingsPageSchema },
      { url: '/data/device-states?ids=dev-1,dev-2,ghost', schema: DeviceStatesSchema },
      { url: '/data/devices/dev-2/latest', schema: errorAnswerSchema(['NoReadings']) },
      { url: '/data/devices/dev-1/readings?from=10&to=5', schema: errorAnswerSchema(['ValidationError']) },
    ];
    for (const { url, schema } of answers) {
      expect(answerChecker(schema)((await as(url)).json()), url).toMatchObject({ ok: true });
    }
  });

  it('never sends a store value that breaks its contract: 500 InternalError instead', async () => {
    const broken = build({
      latest: { ...latest, get: async (deviceId) => ({ deviceId, ts: 5, seq: 1, values: { t: 1 } }) as never },
      states: { getMany: async (ids) => ids.map((deviceId) => ({ deviceId }) as never) },
    });
    for (const url of ['/data/devices/dev-1/latest', '/data/device-states?ids=dev-1']) {
      const res = await as(url, ['viewer'], broken);
      expect(res.statusCode, url).toBe(500);
      expect(res.json()).toMatchObject({ code: 'InternalError' });
    }
  });

  it('reports more metrics than an answer holds as truncated, within the contract', async () => {
    const many = Array.from({ length: queryLimits.maxSeries + 1 }, (_, i) => ({ ts: 1000 + i, seq: i, values: { [`m${i}`]: i } }));
    const res = await as('/data/devices/dev-1/readings?from=1000&to=2000', ['viewer'], build({ telemetry: memoryTelemetry(many) }));
    const body = res.json();
    expect(body.truncated).toBe(true);
    expect(Object.keys(body.metrics)).toHaveLength(queryLimits.maxSeries);
    expect(answerChecker(ReadingIntervalsSchema)(body)).toMatchObject({ ok: true });
  });
});
