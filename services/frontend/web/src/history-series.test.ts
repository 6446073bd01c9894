import type { ReadingInterval } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { alignTo, mergeLive, unionTimes } from './history-series.ts';
import type { LiveReading } from './live.ts';

const grid = { from: 0, to: 60_000, intervalMs: 10_000 };
const interval = (t: number, value: number, count = 1): ReadingInterval => ({ t, min: value, max: value, avg: value, count });
const reading = (ts: number, values: Record<string, number>, seq = ts): LiveReading => ({ deviceId: 'd', ts, seq, values });

describe('live readings merged into the history', () => {
  it('adds a reading after the range as a new interval on the answer grid', () => {
    expect(mergeLive([interval(0, 1)], [reading(75_000, { t: 5 })], 't', grid)).toEqual([interval(0, 1), interval(70_000, 5)]);
  });

  it('adds a reading after the range to the interval it falls into: min, max, count and the weighted mean', () => {
    // The answer's range ends within its last interval (50–60 s): a reading at 57 s came after it.
    const last = { t: 50_000, min: 1, max: 3, avg: 2, count: 2 };
    const endsEarly = { ...grid, to: 55_000 };
    expect(mergeLive([last], [reading(57_000, { t: 8 })], 't', endsEarly)).toEqual([{ t: 50_000, min: 1, max: 8, avg: 4, count: 3 }]);
  });

  it('never counts twice what the answer holds: a reading inside the answered range, up to its last interval, is left out', () => {
    const intervals = [interval(0, 1), interval(30_000, 2)];
    expect(mergeLive(intervals, [reading(35_000, { t: 9 }), reading(5_000, { t: 9 })], 't', grid)).toEqual(intervals);
  });

  it('fills an interval after the last one the answer holds, which it found empty', () => {
    expect(mergeLive([interval(0, 1)], [reading(42_000, { t: 4 })], 't', grid)).toEqual([interval(0, 1), interval(40_000, 4)]);
  });

  it('takes only the chart metric, and nothing before the range', () => {
    expect(mergeLive([], [reading(70_000, { other: 1 }), reading(-5, { t: 1 })], 't', grid)).toEqual([]);
  });

  it('keeps time order when readings arrive out of order', () => {
    const merged = mergeLive([], [reading(95_000, { t: 2 }), reading(72_000, { t: 1 }), reading(91_000, { t: 4 })], 't', grid);
    expect(merged).toEqual([interval(70_000, 1), { t: 90_000, min: 2, max: 4, avg: 3, count: 2 }]);
  });
});

describe('series on one time axis', () => {
  it('unites the interval starts of several devices and aligns each series to them, null where one has none', () => {
    const a = [interval(0, 1), interval(20_000, 2)];
    const b = [interval(10_000, 5), interval(20_000, 6)];
    const times = unionTimes([a, b]);
    expect(times).toEqual([0, 10_000, 20_000]);
    expect(alignTo(times, a, (i) => i.avg)).toEqual([1, null, 2]);
    expect(alignTo(times, b, (i) => i.max)).toEqual([null, 5, 6]);
  });
});
