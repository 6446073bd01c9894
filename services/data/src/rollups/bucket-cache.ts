/**
 * The child buckets of closed parent buckets, kept in memory by a Data Service task: the minutes of
 * closed hours, so a chart of the last 24 hours does not read 1,440 minute items on every query, and
 * the hours of closed days, so a chart of a year does not read 8,760 hour items. An entry is only
 * ever served after it was checked against its parent's own item (cached-rollup-reader.ts): this is
 * a store of views, never a source of truth, so it needs no invalidation across tasks.
 *
 * Bounded by the child aggregates it holds (one per child bucket and metric), least recently used
 * out first. A cached bucket of one metric costs ≈ 0.3 KB of heap (measured: 307 B, heap used after
 * GC for 60,000 minute buckets shaped as the SDK returns them), so a bound of 100,000 is ≈ 30 MB:
 * about 70 device-days of one metric at minutes, 11 device-years at hours.
 */
import type { StoredBucket } from './rollup-reader.ts';

/** The child buckets of one closed parent bucket, as read from DynamoDB. */
export interface CachedBucket {
  /** The sum of its children's `n`: equal to the parent item's `n` when the view is whole. */
  readonly n: number;
  /** Its child buckets, in time order. */
  readonly children: readonly StoredBucket[];
  /** The earliest `expiresAt` of its children, epoch ms: past it, TTL may delete one at any time. */
  readonly expiresAtMs: number;
}

export interface BucketCache {
  get(deviceId: string, parentStart: number): CachedBucket | undefined;
  set(deviceId: string, parentStart: number, bucket: CachedBucket): void;
  /** Child aggregates held (children × metrics). */
  readonly aggregates: number;
}

/** @default 100_000 child aggregates */
export const defaultBucketCacheAggregates = 100_000;

/** The aggregates a parent costs: one per child and metric, at least one per child. */
function weightOf(bucket: CachedBucket): number {
  let w = 0;
  for (const c of bucket.children) w += Math.max(1, Object.keys(c.aggregate.metrics).length);
  return w;
}

export function createBucketCache(options: { maxAggregates?: number } = {}): BucketCache {
  const max = options.maxAggregates ?? defaultBucketCacheAggregates;
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, { bucket: CachedBucket; weight: number }>();
  let aggregates = 0;
  const keyOf = (deviceId: string, parentStart: number) => `${deviceId}#${parentStart}`;

  const remove = (key: string) => {
    const old = entries.get(key);
    if (!old) return;
    entries.delete(key);
    aggregates -= old.weight;
  };

  return {
    get(deviceId, parentStart) {
      const key = keyOf(deviceId, parentStart);
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      entries.set(key, entry);
      return entry.bucket;
    },
    set(deviceId, parentStart, bucket) {
      const key = keyOf(deviceId, parentStart);
      remove(key);
      const weight = weightOf(bucket);
      if (weight > max) return;
      entries.set(key, { bucket, weight });
      aggregates += weight;
      for (const oldest of entries.keys()) {
        if (aggregates <= max) break;
        remove(oldest);
      }
    },
    get aggregates() {
      return aggregates;
    },
  };
}
