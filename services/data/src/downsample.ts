/**
 * Server-side downsampling for charts: readings (or rollup buckets) are folded, in one streaming pass, into fixed-width
 * intervals of `ceil((to − from + 1) / maxPoints)` ms, so a range never yields more than `maxPoints`
 * intervals per metric whatever the number of readings. Each interval keeps min, max, sum and count
 * (avg = sum / count): exact statistics, not a sample. Empty intervals are omitted. At most
 * `maxSeries` metrics are kept (the first names seen): an answer stays bounded even when a device
 * changed its metric names over the range, and says so (`truncated`).
 */

import { telemetryQueryLimits, type ReadingInterval } from '@fleet/core';

/** One interval of one metric (the shape the API Service relays to charts). */
export type Interval = ReadingInterval;

export interface DownsampleOptions {
  /** Inclusive, epoch ms. */
  readonly from: number;
  /** Inclusive, epoch ms. */
  readonly to: number;
  readonly maxPoints: number;
  /** Metrics to keep; all metrics seen when undefined. */
  readonly metrics?: readonly string[];
  /** Most metrics kept. @default telemetryQueryLimits.maxSeries */
  readonly maxSeries?: number;
}

/** What a rollup bucket contributes to an interval, per metric. */
export interface PartialAggregate {
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  readonly count: number;
}

export interface Downsampler {
  add(reading: { readonly ts: number; readonly values: Readonly<Record<string, number>> }): void;
  /** Folds a rollup bucket in: it belongs to the interval holding its start. */
  addBucket(start: number, metrics: Readonly<Record<string, PartialAggregate>>): void;
  /** Intervals per metric, in time order. */
  result(): Record<string, Interval[]>;
  /** Width of an interval, ms. */
  readonly intervalMs: number;
  /** Whether a metric was left out because `maxSeries` were kept already. */
  readonly truncated: boolean;
}

interface Acc {
  min: number;
  max: number;
  sum: number;
  count: number;
}

/** Creates a downsampler over [from, to]; throws when the range or maxPoints is not usable. */
export function createDownsampler({
  from,
  to,
  maxPoints,
  metrics,
  maxSeries = telemetryQueryLimits.maxSeries,
}: DownsampleOptions): Downsampler {
  if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to) && from <= to)) {
    throw new Error(`downsample range must be integers with from <= to, received from=${from} to=${to}`);
  }
  if (!(Number.isSafeInteger(maxPoints) && maxPoints >= 1)) throw new Error(`maxPoints must be a positive integer, received ${maxPoints}`);
  const intervalMs = Math.max(1, Math.ceil((to - from + 1) / maxPoints));
  const wanted = metrics ? new Set(metrics) : undefined;
  const series = new Map<string, Map<number, Acc>>();
  for (const m of metrics ?? []) series.set(m, new Map());
  if (series.size > maxSeries) throw new Error(`at most ${maxSeries} metrics can be asked for, received ${series.size}`);
  let truncated = false;

  function fold(ts: number, name: string, min: number, max: number, sum: number, count: number): void {
    if (ts < from || ts > to) return;
    if (wanted && !wanted.has(name)) return;
    const t = from + Math.floor((ts - from) / intervalMs) * intervalMs;
    let buckets = series.get(name);
    if (!buckets) {
      if (series.size >= maxSeries) {
        truncated = true;
        return;
      }
      series.set(name, (buckets = new Map()));
    }
    const acc = buckets.get(t);
    if (!acc) buckets.set(t, { min, max, sum, count });
    else {
      if (min < acc.min) acc.min = min;
      if (max > acc.max) acc.max = max;
      acc.sum += sum;
      acc.count += count;
    }
  }

  return {
    intervalMs,
    get truncated() {
      return truncated;
    },
    // `for…in` over these plain records, not Object.entries: a chart folds thousands of buckets per
    // query, and their entry arrays were the Data Service's largest allocation per chart (heap profile).
    add({ ts, values }) {
      for (const name in values) {
        const v = values[name] as number;
        fold(ts, name, v, v, v, 1);
      }
    },
    addBucket(start, metrics) {
      for (const name in metrics) {
        const { min, max, sum, count } = metrics[name] as PartialAggregate;
        fold(start, name, min, max, sum, count);
      }
    },
    result() {
      const out: Record<string, Interval[]> = {};
      for (const [name, buckets] of series) {
        out[name] = [...buckets]
          .sort(([a], [b]) => a - b)
          .map(([t, a]) => ({ t, min: a.min, max: a.max, avg: a.sum / a.count, count: a.count }));
      }
      return out;
    },
  };
}
