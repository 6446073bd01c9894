import { describe, expect, it } from 'vitest';
import { createBucketCache, type CachedBucket } from './bucket-cache.ts';

const hourMs = 3_600_000;
/** An hour of `minutes` minute buckets with `metrics` metrics each. */
function hour(minutes: number, metrics = 1): CachedBucket {
  const agg = { min: 1, max: 2, sum: 3, count: 2, first: 1, last: 2 };
  return {
    n: minutes * 2,
    children: Array.from({ length: minutes }, (_, i) => ({
      start: i * 60_000,
      aggregate: { n: 2, metrics: Object.fromEntries(Array.from({ length: metrics }, (_, m) => [`m${m}`, agg])) },
    })),
    expiresAtMs: Infinity,
  };
}

describe('bucket cache', () => {
  it('holds at most its bound of child aggregates, the least recently used out first', () => {
    const cache = createBucketCache({ maxAggregates: 180 });
    cache.set('a', 0, hour(60));
    cache.set('a', hourMs, hour(60));
    cache.set('b', 0, hour(60));
    expect(cache.aggregates).toBe(180);
    // Using a's first hour makes a's second the least recently used.
    expect(cache.get('a', 0)?.n).toBe(120);
    cache.set('c', 0, hour(30));
    expect(cache.aggregates).toBe(150);
    expect(cache.get('a', hourMs)).toBeUndefined();
    expect(cache.get('a', 0)).toBeDefined();
    expect(cache.get('b', 0)).toBeDefined();
    expect(cache.get('c', 0)).toBeDefined();
  });

  it('weighs a parent by its children times metrics, and keeps nothing larger than the bound', () => {
    const cache = createBucketCache({ maxAggregates: 100 });
    cache.set('a', 0, hour(60, 2));
    expect(cache.get('a', 0)).toBeUndefined();
    expect(cache.aggregates).toBe(0);
    cache.set('a', 0, hour(40, 2));
    expect(cache.aggregates).toBe(80);
  });

  it('replaces a parent in place', () => {
    const cache = createBucketCache({ maxAggregates: 100 });
    cache.set('a', 0, hour(10));
    cache.set('a', 0, hour(20));
    expect(cache.aggregates).toBe(20);
    expect(cache.get('a', 0)?.n).toBe(40);
  });
});
