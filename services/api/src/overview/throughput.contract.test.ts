/**
 * The overview's CloudWatch read through the real `@aws-sdk/client-cloudwatch` against the local
 * cloud's CloudWatch stand-in, fed with Embedded Metric Format lines shaped as the Data Service
 * writes them (services/data emf.ts): what GetMetricData answers on the wire is what the chart shows.
 */
import { dataServiceMetrics, monitoring } from '@fleet/core';
import { startCloudWatchHarness, type CloudWatchHarness } from '@fleet/local-cloud/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readThroughput, throughputWindow } from './throughput.ts';

const minute = 60_000;
const now = Date.UTC(2026, 11, 2, 6, 30, 20);
let h: CloudWatchHarness;

/** One EMF document as a Data Service task flushes its counters (dimension Service). */
const emfLine = (at: number, service: string, counters: Record<string, number>) =>
  JSON.stringify({
    _aws: {
      Timestamp: at,
      CloudWatchMetrics: [
        {
          Namespace: monitoring.namespace,
          Dimensions: [['Service']],
          Metrics: Object.keys(counters).map((Name) => ({ Name, Unit: 'Count' })),
        },
      ],
    },
    Service: service,
    ...counters,
  });

beforeAll(async () => {
  h = await startCloudWatchHarness({}, now);
});
afterAll(() => h.close());

describe('readThroughput against the CloudWatch stand-in', () => {
  it('sums every task of the Data Service per minute, the current minute included, and counts other services nothing', async () => {
    const { readingsStored: stored, readingsRejected: rejected } = dataServiceMetrics;
    const group = monitoring.serviceLogGroup('data');
    // Two tasks flushing every 10 s in the previous minute, one in the current minute, one reject each.
    for (const line of [
      emfLine(now - minute + 5_000, 'data', { [stored]: 40, [rejected]: 0 }),
      emfLine(now - minute + 15_000, 'data', { [stored]: 35, [rejected]: 1 }),
      emfLine(now - 2_000, 'data', { [stored]: 7, [rejected]: 1 }),
      // Forty minutes ago, and the same metric name of another service, which is not the Data Service's.
      emfLine(now - 40 * minute, 'data', { [stored]: 1000, [rejected]: 0 }),
      emfLine(now - 2_000, 'frontend', { [stored]: 999, [rejected]: 999 }),
    ]) {
      expect(h.standIn.ingestEmfLine(line, group)).toBe(true);
    }

    const series = await readThroughput({ cloudwatch: h.cloudwatch, timeoutMs: 5_000 }, now);
    const { from, to } = throughputWindow(now);
    expect(series).toMatchObject({ available: true, from, to, readings: 1082, rejected: 2 });
    expect(series.minutes).toHaveLength(60);
    const at = (t: number) => series.minutes.find((m) => m.t === Math.floor(t / minute) * minute);
    expect(at(now)).toEqual({ t: to - minute, readings: 7, rejected: 1 });
    expect(at(now - minute)).toEqual({ t: to - 2 * minute, readings: 75, rejected: 1 });
    expect(at(now - 40 * minute)).toMatchObject({ readings: 1000, rejected: 0 });
    expect(series.minutes.filter((m) => m.readings > 0)).toHaveLength(3);
    expect(h.requests.filter((r) => r.service === 'monitoring').map((r) => r.operation)).toEqual(['GetMetricData']);
  });
});
