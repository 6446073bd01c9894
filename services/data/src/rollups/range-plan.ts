/**
 * Which items a chart of [from, to] at a rollup resolution reads: the buckets of that level lying
 * wholly inside the range, and at each edge the part of the range no whole bucket covers, from the
 * next finer level, down to raw readings for less than a minute. So a chart counts exactly the
 * readings of its range whatever its edges (a 24-hour chart ending now reads ≤ 23 hour items, ≤ 59
 * minute items and the current minute's raw readings besides its whole buckets).
 *
 * Live ingest writes its rollups some seconds after the raw readings (fold-scheduler.ts), so the
 * part of a range around now is read from raw readings too (`planChart`): a chart ending now counts
 * the readings of its last seconds, whatever the rollups have caught up with.
 */
import { rollupLevel, type RollupLevelId } from '@fleet/core';

export type RangePiece =
  | { readonly source: 'raw'; readonly from: number; readonly to: number }
  /** Buckets of `source` whose start lies in [firstStart, lastStart]. */
  | { readonly source: RollupLevelId; readonly firstStart: number; readonly lastStart: number };

const finer = { '1d': '1h', '1h': '1m', '1m': 'raw' } as const;

/** The pieces of [from, to] (inclusive ms) read at `resolution`, in time order. */
export function planRange(resolution: RollupLevelId | 'raw', from: number, to: number): RangePiece[] {
  if (to < from) return [];
  if (resolution === 'raw') return [{ source: 'raw', from, to }];
  const w = rollupLevel(resolution).widthMs;
  const firstStart = Math.ceil(from / w) * w;
  const lastStart = Math.floor((to + 1) / w) * w - w;
  if (firstStart > lastStart) return planRange(finer[resolution], from, to);
  return [
    ...planRange(finer[resolution], from, firstStart - 1),
    { source: resolution, firstStart, lastStart },
    ...planRange(finer[resolution], lastStart + w, to),
  ];
}

/**
 * `planRange`, except that the part of the range inside `fresh` is read from raw readings: the
 * times whose minute rollups live ingest may not have written yet (fold-scheduler.ts
 * `unfoldedSpan`); and, at the hour and day resolutions, the part inside `freshHours` from the
 * minutes: the times whose hours and days may not be folded yet (hour-folder.ts
 * `unfoldedHoursSpan`). Raw pieces that meet are one piece.
 */
export function planChart(resolution: RollupLevelId | 'raw', from: number, to: number, fresh: Span, freshHours?: Span): RangePiece[] {
  if (freshHours && (resolution === '1h' || resolution === '1d')) {
    const minutesFrom = Math.max(from, freshHours.from);
    const minutesTo = Math.min(to, freshHours.to);
    if (minutesFrom <= minutesTo) {
      return joinRaw([
        ...planChart(resolution, from, minutesFrom - 1, fresh),
        ...planChart('1m', minutesFrom, minutesTo, fresh),
        ...planChart(resolution, minutesTo + 1, to, fresh),
      ]);
    }
  }
  const rawFrom = Math.max(from, fresh.from);
  const rawTo = Math.min(to, fresh.to);
  if (resolution === 'raw' || rawFrom > rawTo) return planRange(resolution, from, to);
  return joinRaw([
    ...planRange(resolution, from, rawFrom - 1),
    { source: 'raw' as const, from: rawFrom, to: rawTo },
    ...planRange(resolution, rawTo + 1, to),
  ]);
}

type Span = { readonly from: number; readonly to: number };

function joinRaw(pieces: readonly RangePiece[]): RangePiece[] {
  return pieces.reduce<RangePiece[]>((joined, piece) => {
    const last = joined.at(-1);
    if (last?.source === 'raw' && piece.source === 'raw') joined[joined.length - 1] = { source: 'raw', from: last.from, to: piece.to };
    else joined.push(piece);
    return joined;
  }, []);
}
