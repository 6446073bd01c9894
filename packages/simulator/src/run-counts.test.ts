import { describe, expect, it } from 'vitest';
import { progressLine, runCounts, summary } from './run-counts.ts';

const counters = (
  c: Partial<{ published: number; carriedOver: number; acked: number; dropped: number; refused: number; failed: number }>,
) => ({
  published: 0,
  carriedOver: 0,
  acked: 0,
  dropped: 0,
  refused: 0,
  failed: 0,
  ...c,
});

describe('run counts', () => {
  it('adds up the devices, the fleet buffer gauge giving the most buffered at once', () => {
    const counts = runCounts(
      [
        { counters: counters({ published: 10, carriedOver: 2, acked: 9, dropped: 1 }), buffered: 2 },
        { counters: counters({ published: 5, acked: 5, failed: 3 }), buffered: 0 },
      ],
      { now: 2, max: 7 },
    );
    expect(counts).toEqual({
      published: 15,
      carriedOver: 2,
      acknowledged: 14,
      buffered: 2,
      maxBuffered: 7,
      dropped: 1,
      refused: 0,
      failed: 3,
    });
    expect(progressLine(counts, 4)).toContain('published 15  buffered 2 / 7  acknowledged 14  dropped 1  4 msg/s');
  });

  it('agrees when every reading is acknowledged, buffered or dropped, and every acknowledged one is stored', () => {
    const c = { published: 15, carriedOver: 2, acknowledged: 14, buffered: 2, maxBuffered: 7, dropped: 1, refused: 0, failed: 0 };
    const { lines, agree } = summary(c, 14);
    expect(agree).toBe(true);
    expect(lines).toEqual([
      'published 15, carried over 2, acknowledged 14, buffered 2 (max 7), dropped 1, stored 14',
      'every reading accounted for: published + carried over = acknowledged + buffered + dropped = 17',
      'every acknowledged reading is stored: stored = acknowledged = 14',
      '2 readings are still buffered; the next run sends them first',
    ]);
  });

  it('says which equation fails when a reading is missing from the store or from the counts', () => {
    const c = { published: 10, carriedOver: 0, acknowledged: 9, buffered: 0, maxBuffered: 3, dropped: 0, refused: 0, failed: 0 };
    const { lines, agree } = summary(c, 8);
    expect(agree).toBe(false);
    expect(lines).toContain('COUNTS DISAGREE: published + carried over = 10, acknowledged + buffered + dropped = 9');
    expect(lines).toContain('STORED DISAGREES: 8 of 9 acknowledged readings are stored');
  });
});
