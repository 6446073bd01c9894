/** The HTTP layer alone: schemas, error shapes and pagination, over in-memory store doubles. */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { buildApp, queryLimits } from './app.ts';
import type { DeadLetterStore } from './dead-letters.ts';
import type { LatestStore } from './latest-store.ts';
import type { StoredReading, TelemetryQuery, TelemetryStore } from './telemetry-store.ts';

const logger = pino({ level: 'silent' });

function memoryTelemetry(readings: StoredReading[]): TelemetryStore {
  return {
    write: async () => ({ stored: 0, duplicates: 0, failed: [] }),
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
const app = buildApp({ logger, telemetry: memoryTelemetry(readings), latest, deadLetters });

describe('data HTTP API', () => {
  it('answers liveness, and readiness with the report of its probes', async () => {
    const live = await app.inject({ url: '/data/health/live' });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ status: 'ok' });
    const res = await app.inject({ url: '/data/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', service: 'data', checks: [] });
  });

  it('returns the latest values of a device, and 404 with a code for a device without readings', async () => {
    expect((await app.inject({ url: '/data/devices/dev-1/latest' })).json()).toEqual({
      deviceId: 'dev-1',
      ts: 5,
      seq: 1,
      values: { t: 1 },
      receivedAt: 6,
    });
    const missing = await app.inject({ url: '/data/devices/dev-2/latest' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 'NotFound', message: expect.stringContaining('dev-2') });
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
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toEqual({ code: 'BadRequest', message: expect.any(String) });
    }
  });

  it('answers 404 { code, message } for an unknown route', async () => {
    const res = await app.inject({ url: '/data/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'NotFound' });
  });

  it('hides the details of a server error', async () => {
    const failing = buildApp({
      logger,
      latest: { ...latest, get: async () => Promise.reject(new Error('secret table name fleet-latest-xyz')) },
      telemetry: memoryTelemetry([]),
      deadLetters,
    });
    const res = await failing.inject({ url: '/data/devices/dev-1/latest' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ code: 'InternalError', message: expect.not.stringContaining('secret') });
  });

  it('pages raw readings with a cursor until every reading was returned once', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await app.inject({
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
    const res = await app.inject({ url: '/data/devices/dev-1/readings?from=1000&to=1249&maxPoints=5' });
    const body = res.json<{ intervalMs: number; metrics: Record<string, { count: number }[]> }>();
    expect(body.intervalMs).toBe(50);
    expect(body.metrics['t']!.map((i) => i.count)).toEqual([5, 5, 5, 5, 5]);
    const none = await app.inject({ url: '/data/devices/dev-1/readings?from=1000&to=1249&metrics=other' });
    expect(none.json()).toMatchObject({ intervalMs: 1, metrics: { other: [] } });
  });

  it('accepts ISO 8601 times as well as epoch milliseconds, and defaults to the last 24 hours', async () => {
    const iso = await app.inject({ url: '/data/devices/dev-1/readings/raw?from=1970-01-01T00:00:01.000Z&to=1970-01-01T00:00:01.050Z' });
    expect(iso.statusCode).toBe(200);
    expect(iso.json<{ readings: StoredReading[] }>().readings.map((r) => r.ts)).toEqual([1000, 1010, 1020, 1030, 1040, 1050]);
    const defaults = await app.inject({ url: '/data/devices/dev-1/readings' });
    expect(defaults.statusCode).toBe(200);
    const body = defaults.json<{ from: number; to: number }>();
    expect(body.to - body.from).toBe(86_400_000);
    expect(Math.abs(body.to - Date.now())).toBeLessThan(5000);
  });

  it('answers 501 for replay when no replayer is configured', async () => {
    const res = await app.inject({ method: 'POST', url: '/internal/dead-letters/replay' });
    expect(res.statusCode).toBe(501);
    expect(res.json()).toMatchObject({ code: 'NotImplemented' });
  });
});
