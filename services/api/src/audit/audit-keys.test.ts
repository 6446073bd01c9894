import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayPartition, daysNewestFirst, decodeCursor, encodeCursor, entrySortKey, sortKeyRange } from './audit-keys.ts';

const t = (iso: string) => Date.parse(iso);

describe('audit key design', () => {
  it('puts an entry in the partition of its UTC day, its time first in the sort key', () => {
    expect(dayPartition(t('2026-12-02T23:59:59.999Z'))).toBe('day#2026-12-02');
    expect(dayPartition(t('2026-12-03T00:00:00.000Z'))).toBe('day#2026-12-03');
    expect(entrySortKey(t('2026-12-02T05:43:11.123Z'), 'req-7')).toBe('2026-12-02T05:43:11.123Z#req-7');
  });

  it('sorts sort keys as their times sort, whatever the request ids', () => {
    const time = fc.integer({ min: t('2000-01-01T00:00:00Z'), max: t('2099-12-31T23:59:59Z') });
    const id = fc.string({ minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(time, id, time, id, (a, ida, b, idb) => {
        fc.pre(a !== b);
        expect(entrySortKey(a, ida) < entrySortKey(b, idb)).toBe(a < b);
      }),
    );
  });

  it('holds every entry of the range between its bounds, request ids of any kind, and none outside', () => {
    const from = t('2026-12-02T05:00:00.000Z');
    const to = t('2026-12-02T06:00:00.000Z');
    const { low, high } = sortKeyRange(from, to);
    const inside = (ms: number, id: string) => {
      const sk = entrySortKey(ms, id);
      return sk >= low && sk <= high;
    };
    expect(inside(from, 'a')).toBe(true);
    expect(inside(to, 'zzzz~~~')).toBe(true);
    expect(inside(from - 1, 'z')).toBe(false);
    expect(inside(to + 1, '')).toBe(false);
  });

  it('lists the day partitions of a range newest first, both ends included', () => {
    expect(daysNewestFirst(t('2026-11-29T12:00:00Z'), t('2026-12-01T01:00:00Z'))).toEqual([
      'day#2026-12-01',
      'day#2026-11-30',
      'day#2026-11-29',
    ]);
    expect(daysNewestFirst(t('2026-12-01T01:00:00Z'), t('2026-12-01T02:00:00Z'))).toEqual(['day#2026-12-01']);
  });

  it('gives back the cursor it encoded, and refuses text it did not write', () => {
    const cursor = { from: 1, to: 2, day: 'day#2026-12-01', afterSk: '2026-12-01T00:00:00.000Z#r' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual({ ok: true, cursor });
    expect(decodeCursor('not-a-cursor').ok).toBe(false);
    expect(decodeCursor(Buffer.from('{"from":1,"to":2,"day":"x"}').toString('base64url')).ok).toBe(false);
  });
});
