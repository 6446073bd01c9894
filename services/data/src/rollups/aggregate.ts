/**
 * The aggregates of a rollup item: per metric {min, max, sum, count, first, last} and `n`, the
 * readings the item was computed from. A minute is folded from its readings in (ts, seq) order; an
 * hour from its minutes and a day from its hours, in time order (`mergeAggregates`), so first and
 * last stay exact at every level.
 */
import { mergeAggregates, type RollupAggregate } from '@fleet/core';

/** A bucket's content: its metrics' aggregates and how many readings they fold. */
export interface BucketAggregate {
  /** Readings folded; only grows as readings are added, so a larger `n` is a newer view of the bucket. */
  readonly n: number;
  readonly metrics: Readonly<Record<string, RollupAggregate>>;
}

export interface TimedValues {
  readonly ts: number;
  readonly seq: number;
  readonly values: Readonly<Record<string, number>>;
}

/** The aggregate of a set of distinct readings (any order). */
export function aggregateReadings(readings: readonly TimedValues[]): BucketAggregate {
  const sorted = [...readings].sort((a, b) => a.ts - b.ts || a.seq - b.seq);
  const metrics: Record<string, RollupAggregate> = {};
  for (const { values } of sorted) {
    for (const [name, v] of Object.entries(values)) {
      const one = { min: v, max: v, sum: v, count: 1, first: v, last: v };
      const acc = metrics[name];
      metrics[name] = acc ? mergeAggregates(acc, one) : one;
    }
  }
  return { n: sorted.length, metrics };
}

/** Folds buckets given in time order into one. */
export function foldBuckets(buckets: readonly BucketAggregate[]): BucketAggregate {
  let n = 0;
  const metrics: Record<string, RollupAggregate> = {};
  for (const b of buckets) {
    n += b.n;
    for (const [name, agg] of Object.entries(b.metrics)) {
      const acc = metrics[name];
      metrics[name] = acc ? mergeAggregates(acc, agg) : agg;
    }
  }
  return { n, metrics };
}

/** Reads a rollup item's `n` and `m` attributes back; throws when the item is not one this service wrote. */
export function bucketOfItem(item: Record<string, unknown>): BucketAggregate {
  const n = item['n'];
  const m = item['m'];
  if (typeof n !== 'number' || typeof m !== 'object' || m === null) {
    throw new Error(`rollup item ${JSON.stringify(item['pk'])} ${JSON.stringify(item['sk'])} has no numeric "n" and map "m"`);
  }
  return { n, metrics: m as Record<string, RollupAggregate> };
}
