/**
 * The history chart's series: the API's intervals of a metric (min, max, avg per interval) with the
 * live readings that arrived since the query merged in, on the answer's own grid, so a reading
 * shows in the history at once and a reload later finds the same points.
 */
import type { ReadingInterval, ReadingIntervals } from '@fleet/core';
import type { LiveReading } from './live.ts';

/** What of an answer the merge needs: its range and grid. */
export type IntervalGrid = Pick<ReadingIntervals, 'from' | 'to' | 'intervalMs'>;

/**
 * `intervals` (one metric of `grid`'s answer, in time order) with the `live` readings of `metric`
 * the answer cannot have counted: those after its range (`ts > to`) or in an interval after the
 * last one it holds (which it therefore found empty). Each lands in the interval of the answer's
 * grid (`from + k × intervalMs`) that holds its time: added to one the answer has (min, max, count,
 * and the mean weighted by counts), or as a new one.
 */
export function mergeLive(
  intervals: readonly ReadingInterval[],
  live: readonly LiveReading[],
  metric: string,
  grid: IntervalGrid,
): ReadingInterval[] {
  const last = intervals.at(-1);
  const lastEnd = last ? last.t + grid.intervalMs : grid.from;
  const byStart = new Map<number, ReadingInterval>(intervals.map((i) => [i.t, i]));
  let changed = false;
  for (const reading of live) {
    const value = reading.values[metric];
    if (value === undefined || reading.ts < grid.from) continue;
    if (!(reading.ts > grid.to || reading.ts >= lastEnd)) continue;
    const t = grid.from + Math.floor((reading.ts - grid.from) / grid.intervalMs) * grid.intervalMs;
    const into = byStart.get(t);
    const count = (into?.count ?? 0) + 1;
    byStart.set(
      t,
      into
        ? { t, min: Math.min(into.min, value), max: Math.max(into.max, value), avg: (into.avg * into.count + value) / count, count }
        : { t, min: value, max: value, avg: value, count: 1 },
    );
    changed = true;
  }
  return changed ? [...byStart.values()].sort((a, b) => a.t - b.t) : [...intervals];
}

/** One series aligned to `times`: each interval's value at its time, null where it has none. */
export function alignTo(
  times: readonly number[],
  intervals: readonly ReadingInterval[],
  pick: (i: ReadingInterval) => number,
): (number | null)[] {
  const at = new Map(intervals.map((i) => [i.t, pick(i)]));
  return times.map((t) => at.get(t) ?? null);
}

/** The sorted union of the interval starts of several series (uPlot draws every series over one x array). */
export function unionTimes(series: readonly (readonly ReadingInterval[])[]): number[] {
  return [...new Set(series.flatMap((s) => s.map((i) => i.t)))].sort((a, b) => a - b);
}
