/**
 * Where a rollup bucket lives in the `fleet-rollups` table (resources.ts): `pk =
 * <deviceId>#<level>#<period>` with the level's partition period (a UTC day of minutes, a month of
 * hours, a year of days, so no partition grows without bound), `sk` = the bucket's start in ISO 8601,
 * which sorts as time does.
 */
import { rollupLevel, type RollupLevel, type RollupLevelId } from '@fleet/core';

/** Start of the bucket of `level` holding `ts` (UTC; every width divides a day). */
export function bucketStart(level: RollupLevel, ts: number): number {
  return ts - (((ts % level.widthMs) + level.widthMs) % level.widthMs);
}

/** The period string of a level's partition: `yyyy-MM-dd`, `yyyy-MM` or `yyyy`. */
function period(level: RollupLevel, ts: number): string {
  const iso = new Date(ts).toISOString();
  return level.partition === 'day' ? iso.slice(0, 10) : level.partition === 'month' ? iso.slice(0, 7) : iso.slice(0, 4);
}

export function rollupPartitionKey(deviceId: string, levelId: RollupLevelId, ts: number): string {
  return `${deviceId}#${levelId}#${period(rollupLevel(levelId), ts)}`;
}

export function rollupSortKey(ts: number): string {
  return new Date(ts).toISOString();
}

/** The first instant of the partition period holding `ts`, and of the next one. */
function periodBounds(level: RollupLevel, ts: number): { start: number; next: number } {
  const d = new Date(ts);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  if (level.partition === 'day') {
    const start = Date.UTC(y, m, d.getUTCDate());
    return { start, next: start + 86_400_000 };
  }
  if (level.partition === 'month') return { start: Date.UTC(y, m, 1), next: Date.UTC(y, m + 1, 1) };
  return { start: Date.UTC(y, 0, 1), next: Date.UTC(y + 1, 0, 1) };
}

/** Every partition of `level` holding a bucket start in [from, to], in time order, with the part of the range inside it. */
export function partitionsBetween(
  deviceId: string,
  levelId: RollupLevelId,
  from: number,
  to: number,
): { pk: string; from: number; to: number }[] {
  const level = rollupLevel(levelId);
  const out: { pk: string; from: number; to: number }[] = [];
  for (let t = from; t <= to;) {
    const { next } = periodBounds(level, t);
    out.push({ pk: rollupPartitionKey(deviceId, levelId, t), from: t, to: Math.min(to, next - 1) });
    t = next;
  }
  return out;
}

/**
 * Fold marks (rollup-writer.ts `markMinutes`) live in the rollups table too, under partitions no
 * device's can be (`#` is not in `deviceIdPattern`): `pk = #fold#<shard>`, `sk = <deviceId>#<hour>`.
 * A device's marks stay in one of `foldMarkShards` partitions, so on AWS they spread over that many.
 */
export const foldMarkShards = 16;

export const foldMarkPartitions: readonly string[] = Array.from({ length: foldMarkShards }, (_, i) => `#fold#${i}`);

export function foldMarkKey(deviceId: string, hourStart: number): { pk: string; sk: string } {
  // FNV-1a: a stable spread of device ids over the shards.
  let hash = 0x811c9dc5;
  for (let i = 0; i < deviceId.length; i++) hash = Math.imul(hash ^ deviceId.charCodeAt(i), 0x01000193);
  return { pk: foldMarkPartitions[(hash >>> 0) % foldMarkShards] as string, sk: `${deviceId}#${rollupSortKey(hourStart)}` };
}
