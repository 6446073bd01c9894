import { describe, expect, it } from 'vitest';
import { tickUnits, timeTick } from './time-ticks.ts';

const { minute, hour, day } = tickUnits;
// A local time, so the labels do not depend on the time zone the test runs in.
const t = new Date(2026, 11, 2, 14, 5, 30).getTime();

describe('time axis labels', () => {
  it('shows times of day on a chart of an hour, seconds only when ticks are seconds apart', () => {
    expect(timeTick(t, 10 * minute, hour, 'en-US')).toBe('14:05');
    expect(timeTick(t, 15_000, 2 * minute, 'en-US')).toBe('14:05:30');
  });

  it('shows day and time on a week of ticks hours apart, days on a week of ticks days apart', () => {
    expect(timeTick(t, 12 * hour, 7 * day, 'en-US')).toBe('Dec 2, 14:05');
    expect(timeTick(t, day, 7 * day, 'en-US')).toBe('Dec 2');
  });

  it('shows months on a year', () => {
    expect(timeTick(t, 30 * day, 365 * day, 'en-US')).toBe('Dec 2026');
  });
});
