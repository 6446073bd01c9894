import { describe, expect, it } from 'vitest';
import { backfillCsv, backfillLimits, parseBackfillDuration, planBackfill } from './backfill-plan.ts';
import { createDeviceSignals } from './signals.ts';

const day = 86_400_000;

describe('parseBackfillDuration', () => {
  it('reads minutes, hours, days and years', () => {
    expect(parseBackfillDuration('30m')).toBe(30 * 60_000);
    expect(parseBackfillDuration('12h')).toBe(12 * 3_600_000);
    expect(parseBackfillDuration('7d')).toBe(7 * day);
    expect(parseBackfillDuration('1y')).toBe(365 * day);
    expect(parseBackfillDuration('365d')).toBe(365 * day);
  });

  it('refuses other text, naming what it received', () => {
    for (const text of ['', '7', 'd', '1.5d', '-1d', '7w', '7 days', '0m']) {
      expect(() => parseBackfillDuration(text)).toThrow(`"${text}"`);
    }
  });

  it('refuses more than a year', () => {
    expect(() => parseBackfillDuration('366d')).toThrow(/at most 1y/);
    expect(() => parseBackfillDuration('2y')).toThrow(/at most 1y/);
    expect(() => parseBackfillDuration('8761h')).toThrow(/at most 1y/);
  });
});

describe('planBackfill', () => {
  const until = Date.UTC(2026, 11, 1, 12, 0, 0);

  it('puts one row per rate period in [until − duration, until), seq = ts / period', () => {
    const plan = planBackfill({ durationMs: 3_600_000, rate: 1 / 60, until });
    expect(plan).toEqual({
      periodMs: 60_000,
      from: until - 3_600_000,
      until,
      firstSeq: (until - 3_600_000) / 60_000,
      count: 60,
      nextSeq: until / 60_000,
    });
  });

  it('widens the period so a device gets at most the bound of readings', () => {
    // 7 days at 1 reading a second would be 604,800 rows.
    const week = planBackfill({ durationMs: 7 * day, rate: 1, until });
    expect(week.periodMs).toBe(1008);
    expect(week.cappedFrom).toBe(604_800);
    expect(week.count).toBeLessThanOrEqual(backfillLimits.maxReadings);
    const year = planBackfill({ durationMs: 365 * day, rate: 100, until: until + 123 });
    expect(year.count).toBeLessThanOrEqual(backfillLimits.maxReadings);
    expect(year.count).toBeGreaterThan(backfillLimits.maxReadings - 2);
  });

  it('keeps every row inside the range for ends off the grid', () => {
    for (const end of [until + 1, until + 59_999, until - 1]) {
      const plan = planBackfill({ durationMs: 30 * 60_000, rate: 1 / 60, until: end });
      expect(plan.from).toBeGreaterThanOrEqual(end - 30 * 60_000);
      expect((plan.nextSeq - 1) * plan.periodMs).toBeLessThan(end);
      expect(plan.nextSeq * plan.periodMs).toBeGreaterThanOrEqual(end);
    }
  });

  it('gives overlapping runs the same (ts, seq) for their common rows', () => {
    const first = planBackfill({ durationMs: day, rate: 0.1, until });
    const later = planBackfill({ durationMs: day, rate: 0.1, until: until + 3_600_000 });
    expect(later.periodMs).toBe(first.periodMs);
    expect(later.firstSeq - first.firstSeq).toBe(360);
    expect(later.nextSeq - first.nextSeq).toBe(360);
  });

  it('refuses a range over the bound or a rate that is not positive', () => {
    expect(() => planBackfill({ durationMs: 366 * day, rate: 1, until })).toThrow(/at most/);
    expect(() => planBackfill({ durationMs: day, rate: 0, until })).toThrow(/rate/);
  });
});

describe('backfillCsv', () => {
  const plan = planBackfill({ durationMs: 3_600_000, rate: 1 / 30, until: Date.UTC(2026, 0, 1) });

  it('writes a header and one row per planned reading, ts and seq from the grid', () => {
    const lines = backfillCsv(plan, createDeviceSignals(1)).trimEnd().split('\n');
    expect(lines[0]).toBe('ts,seq,temperature,humidity,battery');
    expect(lines).toHaveLength(plan.count + 1);
    lines.slice(1).forEach((line, i) => {
      const [ts, seq, ...values] = line.split(',').map(Number);
      expect(seq).toBe(plan.firstSeq + i);
      expect(ts).toBe((plan.firstSeq + i) * plan.periodMs);
      expect(values.every(Number.isFinite)).toBe(true);
    });
  });

  it('is the same file for the same device and range', () => {
    expect(backfillCsv(plan, createDeviceSignals(7))).toBe(backfillCsv(plan, createDeviceSignals(7)));
    expect(backfillCsv(plan, createDeviceSignals(7))).not.toBe(backfillCsv(plan, createDeviceSignals(8)));
  });
});
