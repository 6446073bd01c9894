/**
 * What a backfill generates: the duration (`30m`, `12h`, `7d`, `1y`), the bounds, and the rows.
 *
 * Rows sit on a grid anchored at the Unix epoch: row k has `ts = k × periodMs` and `seq = k`, for
 * every k with `until − duration ≤ ts < until`. The period is the publish rate's (1000 / rate ms,
 * whole milliseconds), widened when needed so a device gets at most `maxReadings` rows. So the same
 * device, duration, rate and end give the same (ts, seq) pairs: a re-run is all duplicates (storage
 * is idempotent on (device, ts, seq)), and runs that overlap share their common rows. The live seq
 * counter continues at `nextSeq`, past every backfilled seq.
 */
import { dataJobLimits } from '@fleet/core';
import type { DeviceSignals } from './signals.ts';

export const backfillLimits = {
  /** The longest history a backfill generates. */
  maxDurationMs: 365 * 86_400_000,
  /** Rows per device (a year of 1-minute readings is ≈ 525,600). */
  maxReadings: 600_000,
} as const;

const unitMs = { m: 60_000, h: 3_600_000, d: 86_400_000, y: 365 * 86_400_000 } as const;

/** `30m`, `12h`, `7d`, `1y` → milliseconds; an error naming the received text otherwise. */
export function parseBackfillDuration(text: string): number {
  const match = /^(\d+)([mhdy])$/.exec(text.trim());
  if (!match) throw new Error(`--backfill expects a whole number and a unit m, h, d or y (e.g. 30m, 12h, 7d, 1y), received "${text}"`);
  const ms = Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
  if (ms <= 0) throw new Error(`--backfill must be longer than zero, received "${text}"`);
  if (ms > backfillLimits.maxDurationMs) throw new Error(`--backfill covers at most 1y (365d), received "${text}"`);
  return ms;
}

export interface BackfillPlan {
  /** Milliseconds between two rows (the rate's period, or wider to keep within `maxReadings`). */
  readonly periodMs: number;
  /** First row's ts (inclusive) and the end (exclusive), epoch ms. */
  readonly from: number;
  readonly until: number;
  /** Seq of the first row; the rows' seqs are firstSeq … firstSeq + count − 1. */
  readonly firstSeq: number;
  readonly count: number;
  /** Where the device's live seq counter continues. */
  readonly nextSeq: number;
  /** Set when the rate's period would give more than `maxReadings` rows: that many (about). */
  readonly cappedFrom?: number;
}

/** The grid of rows of `durationMs` before `until` at `rate` readings per second, within the bounds. */
export function planBackfill(input: { durationMs: number; rate: number; until: number }): BackfillPlan {
  const { durationMs, rate, until } = input;
  if (!(durationMs > 0 && durationMs <= backfillLimits.maxDurationMs)) {
    throw new Error(`a backfill covers more than 0 and at most ${backfillLimits.maxDurationMs} ms, received ${durationMs}`);
  }
  if (!(rate > 0)) throw new Error(`the rate must be positive, received ${rate}`);
  if (!Number.isSafeInteger(until) || until < durationMs)
    throw new Error(`the backfill's end must be epoch ms after its duration, received ${until}`);
  // Whole milliseconds keep ts = k × period exact; the cap keeps ceil(duration / period) ≤ maxReadings.
  const ratePeriodMs = Math.ceil(1000 / rate);
  const periodMs = Math.max(ratePeriodMs, Math.ceil(durationMs / backfillLimits.maxReadings));
  const firstSeq = Math.ceil((until - durationMs) / periodMs);
  const nextSeq = Math.ceil(until / periodMs);
  const capped = periodMs > ratePeriodMs ? { cappedFrom: Math.ceil(durationMs / ratePeriodMs) } : {};
  return { periodMs, from: firstSeq * periodMs, until, firstSeq, count: nextSeq - firstSeq, nextSeq, ...capped };
}

/**
 * The plan's rows as CSV (`ts,seq,<metric>...`, the import format), values from the device's signals
 * as live publishing draws them. Refuses a file over the import's upload limit.
 */
export function backfillCsv(plan: BackfillPlan, signals: DeviceSignals): string {
  const lines: string[] = [];
  let metrics: string[] | undefined;
  for (let seq = plan.firstSeq; seq < plan.nextSeq; seq++) {
    const ts = seq * plan.periodMs;
    const values = signals.next(ts);
    metrics ??= Object.keys(values);
    if (lines.length === 0) lines.push(['ts', 'seq', ...metrics].join(','));
    lines.push([ts, seq, ...metrics.map((m) => values[m] ?? '')].join(','));
  }
  const csv = `${lines.join('\n')}\n`;
  if (csv.length > dataJobLimits.maxImportBytes) {
    throw new Error(`the backfill file is ${csv.length} bytes, over the import limit of ${dataJobLimits.maxImportBytes}`);
  }
  return csv;
}
