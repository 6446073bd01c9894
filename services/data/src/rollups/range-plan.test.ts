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

  it('planChart reads from raw readings the part of the range inside `fresh`, as one piece with the raw edges around it', () => {
    const h = 3_600_000;
    const to = 5 * h + 30_000;
    const now = (at: number) => ({ from: at - 45_000, to: at + 300_000 });
    // The last 45 s: the minute at 5 h − 60 s is no longer whole before them, so it joins the raw tail.
    expect(planChart('1h', 0, to, now(to))).toEqual([
      { source: '1h', firstStart: 0, lastStart: 3 * h },
      { source: '1m', firstStart: 4 * h, lastStart: 5 * h - 120_000 },
      { source: 'raw', from: 5 * h - 60_000, to },
    ]);
    // Fresh from a whole bucket's boundary: the buckets before it, then raw.
    expect(planChart('1h', 0, to, { from: 5 * h, to: 6 * h })).toEqual([
      { source: '1h', firstStart: 0, lastStart: 4 * h },
      { source: 'raw', from: 5 * h, to },
    ]);
    // A range reaching far into the future reads raw only up to what a reading may be stamped with.
    expect(planChart('1h', 0, 10 * h - 1, now(4 * h))).toEqual([
      { source: '1h', firstStart: 0, lastStart: 2 * h },
      { source: '1m', firstStart: 3 * h, lastStart: 4 * h - 120_000 },
      { source: 'raw', from: 4 * h - 60_000, to: 4 * h + 359_999 },
      { source: '1m', firstStart: 4 * h + 360_000, lastStart: 5 * h - 60_000 },
      { source: '1h', firstStart: 5 * h, lastStart: 9 * h },
    ]);
    expect(planChart('1h', 0, to, { from: to + 1, to: to + 2 })).toEqual(planRange('1h', 0, to));
    expect(planChart('1h', h, to, { from: 0, to: 6 * h })).toEqual([{ source: 'raw', from: h, to }]);
    expect(planChart('raw', 0, to, now(h))).toEqual([{ source: 'raw', from: 0, to }]);
  });

  it('planChart reads the part of an hour or day chart inside `freshHours` from the minutes, raw within `fresh`', () => {
    const h = 3_600_000;
    const to = 5 * h + 30_000;
    // Hours and days may lag 75 s, minutes 15 s: the hour before now is no longer whole outside the
    // hours' span, so it is read from minutes; the minute that span's edge cuts, and the rest, raw.
    expect(planChart('1h', 0, to, { from: to - 15_000, to: to + 300_000 }, { from: to - 75_000, to: to + 300_000 })).toEqual([
      { source: '1h', firstStart: 0, lastStart: 3 * h },
      { source: '1m', firstStart: 4 * h, lastStart: 5 * h - 120_000 },
      { source: 'raw', from: 5 * h - 60_000, to },
    ]);
    // Minute charts ignore it: their buckets are the minutes.
    expect(planChart('1m', 0, to, { from: to + 1, to: to + 2 }, { from: 0, to })).toEqual(planRange('1m', 0, to));
  });

  it('planChart covers the range exactly once, no hour or day inside `freshHours` and nothing inside `fresh` from rollups', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('raw', '1m', '1h', '1d' as const),
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 0, max: 4e9 }),
        fc.integer({ min: -1e8, max: 4e9 }),
        fc.integer({ min: 0, max: 4e8 }),
        fc.option(fc.integer({ min: 0, max: 4e8 }), { nil: undefined }),
        (resolution, from, span, freshStart, freshSpan, hoursLead) => {
          const to = from + span;
          const fresh = { from: from + freshStart, to: from + freshStart + freshSpan };
          // Without `freshHours`, the hours and days may lie anywhere outside `fresh`.
          const freshHours = hoursLead === undefined ? { from: fresh.from, to: fresh.to } : { from: fresh.from - hoursLead, to: fresh.to };
          const pieces = planChart(resolution, from, to, fresh, hoursLead === undefined ? undefined : freshHours);
          expectCover(pieces, from, to);
          for (const piece of pieces) {
            if (piece.source === 'raw') continue;
            const end = piece.lastStart + rollupLevel(piece.source).widthMs - 1;
            const outside = (span: { from: number; to: number }) => end < span.from || piece.firstStart > span.to;
            expect(outside(fresh)).toBe(true);
            if (piece.source !== '1m') expect(outside(freshHours)).toBe(true);
          }
          for (let i = 1; i < pieces.length; i++) expect(pieces[i - 1]?.source === 'raw' && pieces[i]?.source === 'raw').toBe(false);
        },
      ),
    );
  });
});
