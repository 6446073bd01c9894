/**
 * The ingest rate this task measures: readings stored per second over the last minutes, counted in
 * 10-second buckets as the readings are stored. Each task counts its own; the usage answer is the
 * task's view (one task at the fleet's usual scale, services.ts queueScaling).
 */
import { dataServiceMetrics } from '@fleet/core';
import type { Metrics } from '../emf.ts';

export interface IngestRate {
  record(readings: number): void;
  /** Readings per second over the window (or since the task started, when that is shorter). */
  perSecond(): number;
}

export interface IngestRateOptions {
  /** @default 300000 (five minutes) */
  readonly windowMs?: number;
  /** @default 10000 */
  readonly bucketMs?: number;
  readonly now?: () => number;
}

export function createIngestRate(options: IngestRateOptions = {}): IngestRate {
  const windowMs = options.windowMs ?? 300_000;
  const bucketMs = options.bucketMs ?? 10_000;
  const now = options.now ?? Date.now;
  const startedAt = now();
  const buckets = new Map<number, number>();

  const prune = (at: number) => {
    for (const start of buckets.keys()) if (start <= at - windowMs - bucketMs) buckets.delete(start);
  };

  return {
    record(readings) {
      if (readings <= 0) return;
      const at = now();
      const start = at - (at % bucketMs);
      buckets.set(start, (buckets.get(start) ?? 0) + readings);
      prune(at);
    },
    perSecond() {
      const at = now();
      prune(at);
      let sum = 0;
      for (const [start, count] of buckets) if (start + bucketMs > at - windowMs) sum += count;
      const spanMs = Math.min(windowMs, Math.max(bucketMs, at - startedAt));
      return sum / (spanMs / 1000);
    },
  };
}

/** The service's metrics, with the stored readings also counted into `rate` (reading-writes.ts counts them). */
export function countingStoredReadings(metrics: Metrics, rate: IngestRate): Metrics {
  return {
    ...metrics,
    count(name, n = 1) {
      if (name === dataServiceMetrics.readingsStored) rate.record(n);
      metrics.count(name, n);
    },
  };
}
