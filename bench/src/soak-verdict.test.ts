import { describe, expect, it } from 'vitest';
import { countStoredOnce, judgeSoak, type SoakSample } from './soak-verdict.ts';

const mb = 2 ** 20;
const sample = (i: number, rssMb: number, p99: number, backlog = 0): SoakSample => ({
  atSeconds: (i + 1) * 10,
  rssBytes: rssMb * mb,
  acknowledged: (i + 1) * 1000,
  stored: (i + 1) * 1000 - backlog,
  latencyP50Ms: p99 / 2,
  latencyP99Ms: p99,
  latencySamples: 100,
});
const allStored = { acknowledged: 6000, storedOnce: 6000, missing: 0, duplicates: 0 };

describe('judgeSoak', () => {
  it('calls a soak flat when memory, latency and backlog hold still', () => {
    const samples = [600, 610, 605, 612, 608, 611].map((rss, i) => sample(i, rss, 300 + (i % 2) * 40));
    expect(judgeSoak(samples, allStored, 100)).toMatchObject({
      memoryFlat: true,
      latencyFlat: true,
      keptUp: true,
      finalBacklog: 0,
      storedOnce: true,
    });
  });

  it('flags memory that grows more than 10 % from the first half to the second', () => {
    const samples = [600, 640, 680, 720, 760, 800].map((rss, i) => sample(i, rss, 300));
    const verdict = judgeSoak(samples, allStored, 100);
    expect(verdict.memoryFlat).toBe(false);
    expect(verdict.memoryGrowth).toBeCloseTo(760 / 640 - 1, 5);
  });

  it('flags a p99 that grows past 1.5× and 100 ms, and a backlog of more than 5 s of load', () => {
    const samples = [200, 220, 210, 900, 1200, 1500].map((p99, i) => sample(i, 600, p99, i * 200));
    expect(judgeSoak(samples, allStored, 100)).toMatchObject({
      latencyFlat: false,
      firstHalfP99Ms: 210,
      secondHalfP99Ms: 1200,
      keptUp: false,
      finalBacklog: 1000,
    });
  });

  it('tolerates small latencies moving by less than 100 ms', () => {
    const samples = [20, 25, 22, 90, 100, 95].map((p99, i) => sample(i, 600, p99));
    expect(judgeSoak(samples, allStored, 100).latencyFlat).toBe(true);
  });

  it('does not judge the trend of fewer than 2 samples, but still whether everything was stored once', () => {
    expect(judgeSoak([sample(0, 600, 300)], { ...allStored, missing: 1, storedOnce: 5999 }, 100)).toEqual({
      memoryFlat: undefined,
      memoryGrowth: undefined,
      latencyFlat: undefined,
      firstHalfP99Ms: undefined,
      secondHalfP99Ms: undefined,
      keptUp: undefined,
      finalBacklog: 0,
      storedOnce: false,
    });
  });
});

describe('countStoredOnce', () => {
  it('counts acknowledged readings stored once, missing ones and duplicates per device', () => {
    expect(
      countStoredOnce([
        { acknowledged: [1, 2, 3, 4], stored: [1, 2, 2, 4, 5] },
        { acknowledged: new Set([1, 2]), stored: [1, 2] },
      ]),
    ).toEqual({ acknowledged: 6, storedOnce: 4, missing: 1, duplicates: 1 });
  });
});
