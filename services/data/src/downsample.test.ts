import { describe, expect, it } from 'vitest';
import { createDownsampler } from './downsample.ts';

describe('downsampling', () => {
  it('never returns more intervals than maxPoints, whatever the number of readings', () => {
    for (const [n, maxPoints] of [
      [10_000, 500],
      [10_000, 7],
      [3, 2000],
      [1000, 1],
    ] as const) {
      const d = createDownsampler({ from: 0, to: n - 1, maxPoints });
      for (let ts = 0; ts < n; ts++) d.add({ ts, values: { v: ts } });
      const series = d.result()['v'] ?? [];
      expect(series.length).toBeLessThanOrEqual(maxPoints);
      expect(series.reduce((sum, i) => sum + i.count, 0)).toBe(n);
    }
  });

  it('computes exact min, max, avg and count per interval', () => {
    const d = createDownsampler({ from: 1000, to: 1999, maxPoints: 2 }); // intervals of 500 ms
    for (const [ts, v] of [
      [1000, 4],
      [1100, -2],
      [1499, 10],
      [1500, 7],
      [1999, 9],
    ] as const) {
      d.add({ ts, values: { temp: v } });
    }
    expect(d.intervalMs).toBe(500);
    expect(d.result()).toEqual({
      temp: [
        { t: 1000, min: -2, max: 10, avg: 4, count: 3 },
        { t: 1500, min: 7, max: 9, avg: 8, count: 2 },
      ],
    });
  });

  it('keeps only the requested metrics and ignores readings outside the range', () => {
    const d = createDownsampler({ from: 0, to: 99, maxPoints: 10, metrics: ['a', 'missing'] });
    d.add({ ts: 5, values: { a: 1, b: 2 } });
    d.add({ ts: 100, values: { a: 50 } });
    expect(d.result()).toEqual({ a: [{ t: 0, min: 1, max: 1, avg: 1, count: 1 }], missing: [] });
  });

  it('refuses an inverted range or a maxPoints below 1', () => {
    expect(() => createDownsampler({ from: 10, to: 5, maxPoints: 10 })).toThrow(/from <= to/);
    expect(() => createDownsampler({ from: 0, to: 5, maxPoints: 0 })).toThrow(/maxPoints/);
  });

  it('keeps at most maxSeries metrics, the first seen, and says it left others out', () => {
    const d = createDownsampler({ from: 0, to: 99, maxPoints: 10, maxSeries: 2 });
    d.add({ ts: 1, values: { a: 1, b: 2 } });
    expect(d.truncated).toBe(false);
    d.add({ ts: 2, values: { c: 3, a: 4 } });
    expect(d.truncated).toBe(true);
    expect(Object.keys(d.result()).sort()).toEqual(['a', 'b']);
    expect(d.result()['a']?.[0]?.count).toBe(2);
    expect(() => createDownsampler({ from: 0, to: 1, maxPoints: 1, maxSeries: 1, metrics: ['a', 'b'] })).toThrow(/at most 1 metrics/);
  });
});
