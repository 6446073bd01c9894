/** Charts at each resolution through the real stores on dynalite, against a brute-force fold of the readings. */
import { defaultRetention, ReadingIntervalsSchema, rollupLevel, answerChecker, type Reading, type Resolution } from '@fleet/core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { createRetentionStore } from '../retention/retention-store.ts';
import { createRollupReader } from '../rollups/rollup-reader.ts';
import { bucketStart } from '../rollups/rollup-keys.ts';
import { createRollupWriter } from '../rollups/rollup-writer.ts';
import { createTelemetryStore } from '../telemetry-store.ts';
import { startLocalAws, type LocalAws } from '../testing/local-aws.ts';
import { emptyStores } from '../testing/empty-stores.ts';
import { createTestCallers, type TestCallers } from '../testing/test-callers.ts';

const logger = pino({ level: 'silent' });
const now = Date.UTC(2026, 5, 1);
const dayMs = 86_400_000;
const recentStart = now - 2 * dayMs - 3_600_000;
/** Two days of readings every 97 s (late, out of order, in flushes), and a year of hourly history. */
const recent: Reading[] = Array.from({ length: Math.floor((2 * dayMs) / 97_000) }, (_, i) => ({
  deviceId: 'chart-1',
  ts: recentStart + i * 97_000 + (i % 5),
  seq: i % 3,
  values: { t: (i * 7) % 101, ...(i % 4 === 0 ? { h: i % 17 } : {}) },
}));
const yearStart = Date.UTC(2024, 5, 1);
const history: Reading[] = Array.from({ length: 366 * 24 }, (_, i) => ({
  deviceId: 'chart-2',
  ts: yearStart + i * 3_600_000 + 1_000,
  seq: 0,
  values: { t: i % 50 },
}));

/**
 * Where a reading is counted: at the start of the coarsest bucket, of the resolution or finer, that
 * lies wholly inside the range; a reading no whole minute covers counts at its own time.
 */
function placement(ts: number, from: number, to: number, resolution: Resolution): number {
  const levels = (['1d', '1h', '1m'] as const).filter(
    (l) => resolution !== 'raw' && rollupLevel(l).widthMs <= rollupLevel(resolution).widthMs,
  );
  for (const l of levels) {
    const start = bucketStart(rollupLevel(l), ts);
    if (start >= from && start + rollupLevel(l).widthMs - 1 <= to) return start;
  }
  return ts;
}

/** The answer computed straight from the readings: each reading at its placement, in the interval holding it. */
function bruteForce(readings: readonly Reading[], from: number, to: number, intervalMs: number, resolution: Resolution) {
  const acc = new Map<string, Map<number, { min: number; max: number; sum: number; count: number }>>();
  for (const r of readings) {
    if (r.ts < from || r.ts > to) continue;
    const at = placement(r.ts, from, to, resolution);
    const t = from + Math.floor((at - from) / intervalMs) * intervalMs;
    for (const [name, v] of Object.entries(r.values)) {
      const series = acc.get(name) ?? new Map<number, { min: number; max: number; sum: number; count: number }>();
      acc.set(name, series);
      const a = series.get(t);
      if (!a) series.set(t, { min: v, max: v, sum: v, count: 1 });
      else Object.assign(a, { min: Math.min(a.min, v), max: Math.max(a.max, v), sum: a.sum + v, count: a.count + 1 });
    }
  }
  return Object.fromEntries(
    [...acc].map(([name, series]) => [
      name,
      [...series].sort(([a], [b]) => a - b).map(([t, a]) => ({ t, min: a.min, max: a.max, avg: a.sum / a.count, count: a.count })),
    ]),
  );
}

describe('chart queries from rollups', () => {
  let aws: LocalAws;
  let callers: TestCallers;
  let app: ReturnType<typeof buildApp>;
  let rollupItemsRead = 0;

  // About 10,500 readings with their rollups through dynalite: well under a minute alone, longer on a busy machine.
  beforeAll(async () => {
    [aws, callers] = await Promise.all([startLocalAws(), createTestCallers()]);
    const rollups = createRollupWriter({
      client: aws.dynamo,
      tableName: aws.tableNames.rollups,
      policyOf: () => Promise.resolve(defaultRetention),
    });
    const telemetry = createTelemetryStore({ client: aws.dynamo, tableName: aws.tableNames.telemetry, logger, rollups, now: () => now });
    for (let i = 0; i < recent.length; i += 250) expect((await telemetry.write(recent.slice(i, i + 250).reverse())).failed).toEqual([]);
    expect((await telemetry.writeHistorical(history)).failed).toEqual([]);
    // Counts the rollup items the chart queries read.
    const counting = {
      send: async (command: never) => {
        const out = (await aws.dynamo.send(command)) as { Items?: unknown[] };
        rollupItemsRead += out.Items?.length ?? 0;
        return out;
      },
    } as unknown as typeof aws.dynamo;
    app = buildApp({
      logger,
      verifier: callers.verifier,
      ...emptyStores,
      telemetry,
      rollups: createRollupReader({ client: counting, tableName: aws.tableNames.rollups }),
      retention: {
        store: createRetentionStore({ client: aws.dynamo, tableName: aws.tableNames.dataControl }),
        applyArchiveDays: async () => true,
      },
    });
  }, 180_000);
  afterAll(async () => {
    await app.close();
    await aws.close();
  });

  const chart = async (deviceId: string, from: number, to: number, maxPoints: number) => {
    const res = await app.inject({
      url: `/data/devices/${deviceId}/readings?from=${from}&to=${to}&maxPoints=${maxPoints}`,
      headers: await callers.headers(),
    });
    expect(res.statusCode, res.body).toBe(200);
    const checked = answerChecker(ReadingIntervalsSchema)(res.json());
    if (!checked.ok) throw new Error(`answer breaks the contract: ${checked.problems.join('; ')}`);
    return checked.value;
  };

  it.each([
    ['raw', 6 * 3_600_000, 500],
    ['1m', 2 * dayMs, 500],
    ['1h', 60 * dayMs, 100],
    ['1d', 700 * dayMs, 100],
  ] as const)('answers at %s resolution what a brute-force fold of the readings gives', async (resolution, span, maxPoints) => {
    // Edges that no whole bucket covers: they come from finer levels, down to raw readings.
    const from = now - span + 12_345;
    const answer = await chart('chart-1', from, now, maxPoints);
    expect(answer.resolution).toBe(resolution);
    expect(answer.metrics).toEqual(bruteForce(recent, from, now, answer.intervalMs, resolution));
    expect(Object.keys(answer.metrics).sort()).toEqual(['h', 't']);
  });

  it('charts a year in 500 points from 8,760 hour items', async () => {
    rollupItemsRead = 0;
    const from = yearStart;
    const to = yearStart + 365 * dayMs;
    const answer = await chart('chart-2', from, to, 500);
    expect(answer.resolution).toBe('1h');
    expect(answer.metrics).toEqual(bruteForce(history, from, to, answer.intervalMs, '1h'));
    expect(rollupItemsRead).toBe(365 * 24);
  });

  it('refuses a range longer than the longest retention with what it received and what it allows', async () => {
    const res = await app.inject({ url: `/data/devices/chart-1/readings?from=0&to=${now}`, headers: await callers.headers() });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 'ValidationError', message: expect.stringMatching(/range is \d+ ms, at most 315446400000 ms/) });
  });
});
