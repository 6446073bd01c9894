import { rollupLevel } from '@fleet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planChart, planRange, type RangePiece } from './range-plan.ts';

/** Checks that `pieces` cover [from, to] exactly once, in time order; answers where the last rollup piece ends. */
function expectCover(pieces: readonly RangePiece[], from: number, to: number): number {
  let next = from;
  let rollupsEnd = from;
  for (const piece of pieces) {
    if (piece.source === 'raw') {
      expect(piece.from).toBe(next);
      next = piece.to + 1;
    } else {
      const w = rollupLevel(piece.source).widthMs;
      expect(piece.firstStart).toBe(next);
      expect(piece.firstStart % w).toBe(0);
      expect(piece.lastStart).toBeGreaterThanOrEqual(piece.firstStart);
      next = rollupsEnd = piece.lastStart + w;
    }
  }
  expect(next).toBe(to + 1);
  return rollupsEnd;
}

describe('planRange', () => {
  it('covers the range exactly once with whole buckets, coarsest in the middle, in time order', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('raw', '1m', '1h', '1d' as const),
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 0, max: 4e9 }),
        (resolution, from, span) => {
          expectCover(planRange(resolution, from, from + span), from, from + span);
        },
      ),
    );
  });

  it('reads a year of whole hours from one hour piece and a ragged day from minutes and raw edges', () => {
    const h = 3_600_000;
    expect(planRange('1h', 0, 8760 * h - 1)).toEqual([{ source: '1h', firstStart: 0, lastStart: 8759 * h }]);
    expect(planRange('1h', 30_500, 2 * h + 90_000)).toEqual([
      { source: 'raw', from: 30_500, to: 59_999 },
      { source: '1m', firstStart: 60_000, lastStart: h - 60_000 },
      { source: '1h', firstStart: h, lastStart: h },
      { source: '1m', firstStart: 2 * h, lastStart: 2 * h },
      { source: 'raw', from: 2 * h + 60_000, to: 2 * h + 90_000 },
    ]);
  });

  it('planChart reads from raw readings what lies from freshFrom on, as one piece with the raw edge before it', () => {
    const h = 3_600_000;
    const to = 5 * h + 30_000;
    // The last 45 s: the minute at 5 h − 60 s is no longer whole before freshFrom, so it joins the raw tail.
    expect(planChart('1h', 0, to, to - 45_000)).toEqual([
      { source: '1h', firstStart: 0, lastStart: 3 * h },
      { source: '1m', firstStart: 4 * h, lastStart: 5 * h - 120_000 },
      { source: 'raw', from: 5 * h - 60_000, to },
    ]);
    // freshFrom on a whole bucket's boundary: the buckets before it, then raw.
    expect(planChart('1h', 0, to, 5 * h)).toEqual([
      { source: '1h', firstStart: 0, lastStart: 4 * h },
      { source: 'raw', from: 5 * h, to },
    ]);
    expect(planChart('1h', 0, to, to + 1)).toEqual(planRange('1h', 0, to));
    expect(planChart('1h', h, to, 0)).toEqual([{ source: 'raw', from: h, to }]);
    expect(planChart('raw', 0, to, h)).toEqual([{ source: 'raw', from: 0, to }]);
  });

  it('planChart covers the range exactly once, nothing from freshFrom on from rollups', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('raw', '1m', '1h', '1d' as const),
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 0, max: 4e9 }),
        fc.integer({ min: -1e8, max: 4e9 }),
        (resolution, from, span, fresh) => {
          const to = from + span;
          const freshFrom = from + fresh;
          expect(expectCover(planChart(resolution, from, to, freshFrom), from, to)).toBeLessThanOrEqual(Math.max(freshFrom, from));
        },
      ),
    );
  });
});
