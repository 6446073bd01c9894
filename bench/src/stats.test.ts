import { describe, expect, it } from 'vitest';
import { percentile, ratePerSecond, ratio, summarizeLatencies } from './stats.ts';

describe('percentile', () => {
  it('returns the nearest-rank sample, never an interpolated value', () => {
    const samples = [5, 1, 4, 2, 3];
    expect(percentile(samples, 50)).toBe(3);
    expect(percentile(samples, 20)).toBe(1);
    expect(percentile(samples, 21)).toBe(2);
    expect(percentile(samples, 100)).toBe(5);
  });

  it('gives p99 of 100 samples as the 99th smallest and of fewer samples as the maximum', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile([10, 30, 20], 99)).toBe(30);
  });

  it('does not reorder the caller’s array', () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('is undefined without samples and rejects a percentile outside (0, 100]', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(() => percentile([1], 0)).toThrow(/\(0, 100\], received 0/);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('rates and ratios', () => {
  it('counts events per second over a span in milliseconds', () => {
    expect(ratePerSecond(5000, 2500)).toBe(2000);
    expect(ratePerSecond(10, 0)).toBe(0);
    expect(ratePerSecond(0, 1000)).toBe(0);
  });

  it('has no ratio against a missing or zero denominator', () => {
    expect(ratio(1000, 20_000)).toBe(0.05);
    expect(ratio(1000, 0)).toBeUndefined();
    expect(ratio(undefined, 10)).toBeUndefined();
    expect(ratio(10, undefined)).toBeUndefined();
  });

  it('summarizes latencies as p50, p99 and max', () => {
    expect(summarizeLatencies([120, 80, 300, 100])).toEqual({ samples: 4, p50Ms: 100, p99Ms: 300, maxMs: 300 });
    expect(summarizeLatencies([])).toEqual({ samples: 0, p50Ms: undefined, p99Ms: undefined, maxMs: undefined });
  });
});
