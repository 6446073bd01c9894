/**
 * The inputs of the Data Service's queries that a schema alone cannot judge: times (epoch ms or
 * ISO 8601), ranges (at most the retention), raw-page cursors. A client mistake is a `BadRequest`
 * (400 ValidationError) naming what was received and what was expected.
 */
import { deviceIdPattern, telemetryLimits, telemetryQueryLimits } from '@fleet/core';
import { Type } from 'typebox';
import { AnswerError } from './answer-error.ts';

export const queryLimits = {
  ...telemetryQueryLimits,
  /** A query spans at most the retention (plus a day of slack for the edges). */
  maxRangeMs: telemetryLimits.maxAgeMs + 86_400_000,
} as const;

/** A chart may reach as far back as any data is kept (plus a day of slack for the edges). */
export const maxRangeMsFor = (longestRetentionDays: number) => (longestRetentionDays + 1) * 86_400_000;

/** A client mistake the schema cannot express. */
const badRequest = (message: string) => new AnswerError('ValidationError', message);

export const DeviceParams = Type.Object({ deviceId: Type.String({ pattern: deviceIdPattern.source, maxLength: 64 }) });

const Time = Type.String({
  minLength: 1,
  maxLength: queryLimits.maxTimeLength,
  description: 'epoch milliseconds or ISO 8601 time; default: to = now, from = to − 24 h',
});

/** The `from` and `to` of a query string (see `timeRange`). */
export const TimeRangeQuery = { from: Type.Optional(Time), to: Type.Optional(Time) };

/** A raw page's cursor: the (ts, seq) of its last reading. */
export const encodeCursor = (r: { ts: number; seq: number }) => Buffer.from(`${r.ts}_${r.seq}`).toString('base64url');

export function decodeCursor(cursor: string): { ts: number; seq: number } {
  const match = /^(\d+)_(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badRequest(`cursor ${JSON.stringify(cursor)} is not one this service returned`);
  return { ts: Number(match[1]), seq: Number(match[2]) };
}

/** A query time: epoch milliseconds or an ISO 8601 time (the API Service relays either). */
function parseTime(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = /^\d+$/.test(value) ? Number(value) : /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw badRequest(`"${name}" must be epoch milliseconds or an ISO 8601 time from 1970, received ${JSON.stringify(value)}`);
  return ms;
}

/** The [from, to] of a query, checked; `maxRangeMs` is the longest retention when the caller knows it. */
export function timeRange(
  query: { from?: string; to?: string },
  maxRangeMs: number = queryLimits.maxRangeMs,
): { from: number; to: number } {
  const to = parseTime('to', query.to, Date.now());
  const from = parseTime('from', query.from, to - 86_400_000);
  if (to < from) throw badRequest(`"to" (${to}) must not be before "from" (${from})`);
  if (to - from > maxRangeMs) {
    throw badRequest(`range is ${to - from} ms, at most ${maxRangeMs} ms (the longest retention) can be queried`);
  }
  return { from, to };
}
