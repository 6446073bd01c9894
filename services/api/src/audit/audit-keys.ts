/**
 * The key design of the audit table (`@fleet/core` auditTable): one partition per UTC day
 * (`pk = day#2026-12-02`), the sort key the entry's ISO time and request id
 * (`sk = 2026-12-02T05:43:11.123Z#req-1`). ISO 8601 UTC times sort as strings, so "newest first
 * within [from, to]" is a Query per day, `sk BETWEEN`, `ScanIndexForward: false`, walking the days
 * backwards; the request id keeps two entries of the same millisecond apart. A day partition takes
 * the whole platform's mutating calls of that day: people's clicks, far below DynamoDB's 1,000
 * writes/s per partition. Revoked devices live in their own partition (`pk = revoked`).
 */

const dayMs = 24 * 3600 * 1000;

/** The partition of the revoked devices' records. */
export const revokedPartition = 'revoked';

/** The day partition of a time. */
export function dayPartition(timeMs: number): string {
  return `day#${new Date(timeMs).toISOString().slice(0, 10)}`;
}

/** The sort key of an entry: time first, so keys sort by time. */
export function entrySortKey(timeMs: number, requestId: string): string {
  return `${new Date(timeMs).toISOString()}#${requestId}`;
}

/** The bounds of `sk BETWEEN` for entries from `fromMs` to `toMs`, both included, at any request id. */
export function sortKeyRange(fromMs: number, toMs: number): { readonly low: string; readonly high: string } {
  // '#' (0x23) follows the time; '$' (0x24) is the next character, so `<to>$` is above every `<to>#…`.
  return { low: `${new Date(fromMs).toISOString()}#`, high: `${new Date(toMs).toISOString()}$` };
}

/** The day partitions of [fromMs, toMs], newest first. */
export function daysNewestFirst(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  const first = Math.floor(fromMs / dayMs);
  for (let day = Math.floor(toMs / dayMs); day >= first; day--) days.push(dayPartition(day * dayMs));
  return days;
}

/**
 * Where a page of the audit trail stopped: the range it pages over (so a cursor cannot be replayed
 * against another one), the day it was in and the last key it read there (DynamoDB's
 * LastEvaluatedKey), or no key when the next page starts at that day's newest entry.
 */
export interface AuditCursor {
  readonly from: number;
  readonly to: number;
  readonly day: string;
  readonly afterSk?: string;
}

export function encodeCursor(cursor: AuditCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** The cursor, or a message saying what was wrong with it. */
export function decodeCursor(text: string): { ok: true; cursor: AuditCursor } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, message: 'is not a cursor this API answered (not base64url JSON)' };
  }
  if (typeof value !== 'object' || value === null) return { ok: false, message: 'is not a cursor this API answered' };
  const { from, to, day, afterSk } = value as Record<string, unknown>;
  if (typeof from !== 'number' || typeof to !== 'number' || typeof day !== 'string' || !/^day#\d{4}-\d{2}-\d{2}$/.test(day)) {
    return { ok: false, message: 'is not a cursor this API answered (expected its range and day)' };
  }
  if (afterSk !== undefined && typeof afterSk !== 'string') return { ok: false, message: 'is not a cursor this API answered' };
  return { ok: true, cursor: { from, to, day, ...(afterSk === undefined ? {} : { afterSk }) } };
}
