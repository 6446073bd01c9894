/**
 * Rollups: per device and metric, the readings of each minute, hour and day folded into one
 * aggregate (min, max, sum, count, first, last), maintained by the Data Service as readings arrive
 * and kept in the `fleet-rollups` table (resources.ts). A chart asks for a range and a number of
 * points; the service answers from the coarsest resolution whose buckets still fill the requested
 * points, so a one-year chart reads a few thousand items, not millions of readings.
 *
 * Shared because it crosses processes: the answer of a chart query names its resolution, the cost
 * model (`npm run cost`) counts the writes and items of each level, the retention settings name the
 * levels, and the web app shows them.
 */
import { Type } from 'typebox';

/** A rollup level: its bucket width and the period its items are partitioned by (as the raw table is by day). */
export interface RollupLevel {
  readonly id: '1m' | '1h' | '1d';
  readonly widthMs: number;
  /** Items of one device and level share a partition per this period, so no partition grows without bound. */
  readonly partition: 'day' | 'month' | 'year';
  /** The retention field that bounds this level (retention.ts). */
  readonly retentionField: 'minuteDays' | 'hourDays' | 'dayDays';
}

export const rollupLevels: readonly RollupLevel[] = [
  { id: '1m', widthMs: 60_000, partition: 'day', retentionField: 'minuteDays' },
  { id: '1h', widthMs: 3_600_000, partition: 'month', retentionField: 'hourDays' },
  { id: '1d', widthMs: 86_400_000, partition: 'year', retentionField: 'dayDays' },
] as const;

/**
 * How live ingest writes the rollups (services/data/src/rollups/README.md): a round every `roundMs`
 * Puts the minutes the flushes since the last one touched, and every `hourFoldMs` a task folds the
 * hours and days it marked meanwhile; an hour the task has not folded within `hourFoldMs` is rolled
 * up in its round at once. Shared because the cost model prices that shape.
 */
export const liveRollupTiming = { roundMs: 5_000, hourFoldMs: 30_000 } as const;

/**
 * How the Data Service lays readings out in the telemetry table (services/data/src/time-bucket.ts,
 * window-chain.ts): a window item per device and `windowMs`, a chain of items each sealed when a
 * write would take it past about `itemTargetBytes`. Shared because the cost model prices that shape.
 */
export const telemetryLayout = { windowMs: 60_000, itemTargetBytes: 1_000 } as const;

/**
 * How often the Data Service writes a device's latest values at most (services/data/src/latest-coalescer.ts):
 * at once when not written within `intervalMs`, else the newest reading waits for the next write.
 * Shared because the cost model prices it.
 */
export const latestValuesTiming = { intervalMs: 1_000 } as const;

export type RollupLevelId = RollupLevel['id'];
/** What a chart answer was computed from: the raw readings or one rollup level. */
export const resolutions = ['raw', '1m', '1h', '1d'] as const;
export type Resolution = (typeof resolutions)[number];
export const ResolutionSchema = Type.Enum(resolutions, {
  description: 'What the intervals were folded from: raw readings, or 1-minute, 1-hour or 1-day rollups',
});

/**
 * The resolution a chart of intervals `intervalMs` wide is read from: the coarsest level whose
 * buckets are no wider than an interval (so every interval still gets its own buckets), raw below a
 * minute. A one-year chart of 500 points (intervals ≈ 17.5 h) reads hour rollups: 8,760 buckets.
 */
export function resolutionFor(intervalMs: number): Resolution {
  let chosen: Resolution = 'raw';
  for (const level of rollupLevels) if (level.widthMs <= intervalMs) chosen = level.id;
  return chosen;
}

export function rollupLevel(id: RollupLevelId): RollupLevel {
  const level = rollupLevels.find((l) => l.id === id);
  if (!level) throw new Error(`unknown rollup level ${JSON.stringify(id)}`);
  return level;
}

/**
 * One metric's aggregate over one bucket. `first` and `last` are the values of the earliest and the
 * latest reading by (ts, seq), so folding buckets in time order keeps them exact.
 */
export interface RollupAggregate {
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  readonly count: number;
  readonly first: number;
  readonly last: number;
}

export const RollupAggregateSchema = Type.Object({
  min: Type.Number(),
  max: Type.Number(),
  sum: Type.Number(),
  count: Type.Integer({ minimum: 1 }),
  first: Type.Number({ description: 'Value of the earliest reading in the bucket, by (ts, seq)' }),
  last: Type.Number({ description: 'Value of the latest reading in the bucket, by (ts, seq)' }),
});

/** Folds `b` (later buckets) into `a` (earlier): the aggregate of both. */
export function mergeAggregates(a: RollupAggregate, b: RollupAggregate): RollupAggregate {
  return {
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    sum: a.sum + b.sum,
    count: a.count + b.count,
    first: a.first,
    last: b.last,
  };
}
