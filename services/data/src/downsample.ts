/**
 * Server-side downsampling for charts: readings are folded, in one streaming pass, into fixed-width
 * intervals of `ceil((to − from + 1) / maxPoints)` ms, so a range never yields more than `maxPoints`
 * intervals per metric whatever the number of readings. Each interval keeps min, max, sum and count
 * (avg = sum / count): exact statistics, not a sample. Empty intervals are omitted.
 */

import type { ReadingInterval } from '@fleet/core';

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
}

export interface Downsampler {
  add(reading: { readonly ts: number; readonly values: Readonly<Record<string, number>> }): void;
  /** Intervals per metric, in time order. */
  result(): Record<string, Interval[]>;
  /** Width of an interval, ms. */
  readonly intervalMs: number;
}

interface Acc {
  min: number;
  max: number;
  sum: number;
  count: number;
}

/** Creates a downsampler over [from, to]; throws when the range or maxPoints is not usable. */
export function createDownsampler({ from, to, maxPoints, metrics }: DownsampleOptions): Downsampler {
  if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to) && from <= to)) {
    throw new Error(`downsample range must be integers with from <= to, received from=${from} to=${to}`);
  }
  if (!(Number.isSafeInteger(maxPoints) && maxPoints >= 1)) throw new Error(`maxPoints must be a positive integer, received ${maxPoints}`);
  const intervalMs = Math.max(1, Math.ceil((to - from + 1) / maxPoints));
  const wanted = metrics ? new Set(metrics) : undefined;
  const series = new Map<string, Map<number, Acc>>();
  for (const m of metrics ?? []) series.set(m, new Map());

  return {
    intervalMs,
    add({ ts, values }) {
      if (ts < from || ts > to) return;
      const t = from + Math.floor((ts - from) / intervalMs) * intervalMs;
      for (const [name, value] of Object.entries(values)) {
        if (wanted && !wanted.has(name)) continue;
        let buckets = series.get(name);
        if (!buckets) series.set(name, (buckets = new Map()));
        const acc = buckets.get(t);
        if (!acc) buckets.set(t, { min: value, max: value, sum: value, count: 1 });
        else {
          if (value < acc.min) acc.min = value;
          if (value > acc.max) acc.max = value;
          acc.sum += value;
          acc.count++;
        }
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
