/**
 * One row of a historical import, validated: a CSV line under its header (`ts[,seq][,deviceId],<metric>...`)
 * or a JSON Lines object (`{"ts","seq",...metrics}`, optionally `deviceId`). The metric checks are
 * the ones a published reading passes (`parseMetrics` of `@fleet/core`); only the age limit is not
 * applied: importing history is the point. Never throws.
 */
import { describeJsonValue, parseMetrics, telemetryLimits, type Reading } from '@fleet/core';

export type RowResult = { readonly ok: true; readonly reading: Reading } | { readonly ok: false; readonly reason: string };

const notMetrics: ReadonlySet<string> = new Set(['ts', 'seq', 'deviceId']);
/** ISO 8601 date-time with a zone (`Z` or an offset): a zone-less time would depend on the server's. */
const decimalPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Epoch ms from a number or a string of digits or ISO 8601; a reason otherwise. */
export function parseTimestamp(value: unknown): number | string {
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && value > 0 ? value : `"ts" must be positive epoch milliseconds, received ${value}`;
  if (typeof value === 'string') {
    if (/^\d{1,16}$/.test(value)) return parseTimestamp(Number(value));
    const ms = isoPattern.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isFinite(ms) && ms > 0) return ms;
  }
  return `"ts" must be epoch milliseconds or an ISO 8601 time with a zone (e.g. 2024-01-31T12:00:00Z), received ${describeJsonValue(value)}`;
}

/** Checks the fields of one row for `deviceId`; `now` bounds how far ahead `ts` may be. */
export function readingOfFields(fields: Readonly<Record<string, unknown>>, deviceId: string, now: number): RowResult {
  const ts = parseTimestamp(fields['ts']);
  if (typeof ts === 'string') return { ok: false, reason: ts };
  if (ts > now + telemetryLimits.maxFutureSkewMs) {
    return { ok: false, reason: `"ts" ${new Date(ts).toISOString()} is in the future (tolerance ${telemetryLimits.maxFutureSkewMs} ms)` };
  }
  const rawSeq = fields['seq'] ?? 0;
  const seq = typeof rawSeq === 'string' && /^\d{1,16}$/.test(rawSeq) ? Number(rawSeq) : rawSeq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    return { ok: false, reason: `"seq" must be a non-negative integer, received ${describeJsonValue(rawSeq)}` };
  }
  const rowDevice = fields['deviceId'];
  if (rowDevice !== undefined && rowDevice !== deviceId) {
    return { ok: false, reason: `"deviceId" is ${describeJsonValue(rowDevice)}, this import is for "${deviceId}"` };
  }
  const metrics = parseMetrics(fields, notMetrics);
  if (!metrics.ok) return metrics;
  return { ok: true, reading: { deviceId, ts, seq, values: metrics.values } };
}

export function parseJsonLine(line: string, deviceId: string, now: number): RowResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: `a line must be a JSON object, received ${describeJsonValue(value)}` };
  }
  return readingOfFields(value as Record<string, unknown>, deviceId, now);
}

/** Splits one CSV line (RFC 4180 quoting, no line breaks inside a field). */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let cell = '';
      i++;
      for (;;) {
        const quote = line.indexOf('"', i);
        if (quote < 0) {
          cell += line.slice(i);
          i = line.length;
          break;
        }
        cell += line.slice(i, quote);
        i = quote + 1;
        if (line[i] !== '"') break;
        cell += '"';
        i++;
      }
      const comma = line.indexOf(',', i);
      cells.push(cell + (comma < 0 ? line.slice(i) : line.slice(i, comma)));
      if (comma < 0) return cells;
      i = comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        cells.push(line.slice(i));
        return cells;
      }
      cells.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

export interface CsvHeader {
  readonly columns: readonly string[];
}

/** The header's columns, or why it cannot be read (no `ts`, a bad or repeated name). */
export function parseCsvHeader(line: string): CsvHeader | string {
  const columns = splitCsvLine(line).map((c) => c.trim());
  if (!columns.includes('ts')) return `the CSV header must name a "ts" column, received ${describeJsonValue(line)}`;
  const seen = new Set<string>();
  for (const name of columns) {
    if (seen.has(name)) return `the CSV header names "${name}" twice`;
    seen.add(name);
    if (!notMetrics.has(name) && !telemetryLimits.metricNamePattern.test(name)) {
      return `CSV column ${describeJsonValue(name)} is not a metric name (${telemetryLimits.metricNamePattern})`;
    }
  }
  return { columns };
}

export function parseCsvLine(line: string, header: CsvHeader, deviceId: string, now: number): RowResult {
  const cells = splitCsvLine(line);
  if (cells.length !== header.columns.length) {
    return { ok: false, reason: `${cells.length} cells, the header has ${header.columns.length} columns` };
  }
  const fields: Record<string, unknown> = {};
  header.columns.forEach((name, i) => {
    const cell = cells[i]!.trim();
    // An empty cell: the reading lacks this metric (as the export writes it).
    if (cell === '') return;
    // A metric cell that is not a decimal number stays text, and parseMetrics says so.
    fields[name] = !notMetrics.has(name) && decimalPattern.test(cell) ? Number(cell) : cell;
  });
  return readingOfFields(fields, deviceId, now);
}
