/**
 * Where a reading lives in the telemetry table. A reading always maps to ONE deterministic item
 * (its device's UTC day as partition, the start of its fixed window as sort key) and to one
 * attribute inside it (named from its offset in the window and its seq), so that writing it again
 * is a no-op, late readings merge into their window, and one UpdateItem carries every reading of a
 * window found in a batch.
 *
 * Cost reasoning (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html):
 * on-demand writes cost 1 WCU per started KB of the LARGER of the item before and after the write
 * ($0.625 per million WCU). An item per reading (~60–120 bytes of data) pays a full WCU for a tenth
 * of a KB, plus ~100 bytes of per-item storage overhead. A 1-minute window of a device publishing
 * every 5 s holds 12 readings (~700 bytes with key and TTL), so every write to it still costs 1 WCU
 * but carries ALL readings of that window in the flush:
 *   - a flush holding n readings of one window (fast publishers, backlog after an outage, replay)
 *     costs 1 WCU instead of n;
 *   - a flush holding one reading per device (many slow devices) costs 1 WCU per reading, the same
 *     as an item per reading, while storing 12× fewer items.
 * Measured locally (5,000 readings, flushes of 100 messages): 50 devices → 0.59 UpdateItem per
 * reading; 1,000 devices → 1.0. Queries read 1 RCU per 4 KB of items returned, so fuller items do
 * not read dearer. A device publishing much faster would make its window item pass 1 KB, and every
 * write cost more units as it grows (at 24 readings/s ≈ 45 KB by the minute's end: 2.04 units per
 * reading measured), so a window is a chain of items sealed at about 1 KB each (window-chain.ts).
 */
import { telemetryLayout, telemetryLimits } from '@fleet/core';

/** Width of a window item. One minute: ≈ 1 KB items for devices publishing every few seconds. */
export const windowMs = telemetryLayout.windowMs;

/** Separates the device id from the day in the partition key; device ids never contain it. */
const keySeparator = '#';

export interface ReadingLocation {
  /** `<deviceId>#<yyyy-MM-dd>` (UTC day of the reading's device time). */
  readonly pk: string;
  /** Start of the reading's window, ISO 8601 UTC (`2024-11-24T09:20:00.000Z`). */
  readonly sk: string;
  /** Attribute holding this reading inside the window item: `r<offsetMs>_<seq>`. */
  readonly attribute: string;
}

/** UTC day `yyyy-MM-dd` of an epoch-millisecond time. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Partition key of a device's day. */
export function partitionKey(deviceId: string, dayMs: number): string {
  return `${deviceId}${keySeparator}${utcDay(dayMs)}`;
}

/** Start of the window holding `ts`. */
export function windowStart(ts: number): number {
  return ts - (((ts % windowMs) + windowMs) % windowMs);
}

/** Sort key of the window holding `ts`. */
export function windowSortKey(ts: number): string {
  return new Date(windowStart(ts)).toISOString();
}

/** Where the reading (deviceId, ts, seq) is stored. */
export function locate(deviceId: string, ts: number, seq: number): ReadingLocation {
  return {
    pk: partitionKey(deviceId, ts),
    sk: windowSortKey(ts),
    attribute: `r${ts - windowStart(ts)}_${seq}`,
  };
}

const attributePattern = /^r(\d+)_(\d+)$/;

/** Whether an item attribute holds a reading (`r<offsetMs>_<seq>`). */
export function isReadingAttribute(name: string): boolean {
  return attributePattern.test(name);
}

/** Start (epoch ms) of the window of one of its items' sort key (item 0, a chain or an overflow item). */
export function windowStartOf(sk: string): number {
  const start = Date.parse(sk.slice(0, 24));
  if (Number.isNaN(start)) throw new Error(`sort key ${JSON.stringify(sk)} does not start with an ISO window start`);
  return start;
}

/**
 * Inverse of `locate(...).attribute`: the (ts, seq) of a reading attribute of an item whose window
 * starts at `start`, or undefined for other attributes. Takes the parsed start, not the sort key: a query parses each item's sort key
 * once rather than once per reading (a day of 1 Hz readings is 86,400 attributes).
 */
export function readingAt(start: number, attribute: string): { ts: number; seq: number } | undefined {
  const match = attributePattern.exec(attribute);
  if (!match) return undefined;
  return { ts: start + Number(match[1]), seq: Number(match[2]) };
}

/**
 * TTL of the item holding a reading, epoch SECONDS as DynamoDB TTL requires: the device's raw
 * retention after the END of its window, so an item is never deleted while it could still receive
 * late readings (ingest refuses readings older than a raw retention shorter than the acceptance window).
 */
export function expiresAt(ts: number, rawDays = telemetryLimits.maxAgeMs / 86_400_000): number {
  return bucketExpiresAt(windowStart(ts), windowMs, rawDays);
}

/** TTL (epoch seconds) of an item covering `widthMs` from `start` (a window, a rollup bucket): its end plus `days`. */
export function bucketExpiresAt(start: number, widthMs: number, days: number): number {
  return Math.ceil((start + widthMs + days * 86_400_000) / 1000);
}

/** Every UTC day (as a time inside it) from `from` to `to` inclusive, in order. */
export function daysBetween(from: number, to: number): number[] {
  const days: number[] = [];
  const dayMs = 86_400_000;
  for (let d = from - (from % dayMs); d <= to; d += dayMs) days.push(d);
  return days;
}
