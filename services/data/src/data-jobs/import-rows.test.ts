/** The row checks of a historical import: timestamps, seq, the device, metrics, CSV quoting. */
import { telemetryLimits } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { parseCsvHeader, parseCsvLine, parseJsonLine, parseTimestamp, splitCsvLine } from './import-rows.ts';

const now = Date.UTC(2026, 11, 1);

describe('import rows', () => {
  it('reads ts as epoch milliseconds or ISO 8601 with a zone, and refuses a zone-less time', () => {
    expect(parseTimestamp(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(parseTimestamp('1700000000000')).toBe(1_700_000_000_000);
    expect(parseTimestamp('2024-01-31T12:00:00Z')).toBe(Date.UTC(2024, 0, 31, 12));
    expect(parseTimestamp('2024-01-31T13:00:00.500+01:00')).toBe(Date.UTC(2024, 0, 31, 12, 0, 0, 500));
    expect(parseTimestamp('2024-01-31T12:00:00')).toContain('with a zone');
    expect(parseTimestamp(1.5)).toContain('positive epoch milliseconds');
  });

  it('accepts old readings (importing history is the point) but not ones beyond the future skew', () => {
    expect(parseJsonLine('{"ts":946684800000,"seq":0,"t":1}', 'd', now)).toMatchObject({ ok: true });
    const ahead = now + telemetryLimits.maxFutureSkewMs + 1;
    expect(parseJsonLine(`{"ts":${ahead},"seq":0,"t":1}`, 'd', now)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('future'),
    });
  });

  it('checks metrics as a published reading is checked', () => {
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`m${i}`, i]));
    expect(parseJsonLine(JSON.stringify({ ts: now, seq: 0, ...many }), 'd', now)).toEqual({
      ok: false,
      reason: 'payload has 33 metrics, the limit is 32',
    });
    expect(parseJsonLine('{"ts":1,"seq":0,"t":1e-200}', 'd', now)).toMatchObject({ ok: false, reason: expect.stringContaining('1e-130') });
    expect(parseJsonLine('{"ts":1,"seq":2.5,"t":1}', 'd', now)).toMatchObject({ ok: false, reason: expect.stringContaining('"seq"') });
  });

  it('splits quoted CSV cells', () => {
    expect(splitCsvLine('a,"b,c","say ""hi""",')).toEqual(['a', 'b,c', 'say "hi"', '']);
  });

  it('refuses a CSV header without ts, with a repeated or an invalid column', () => {
    expect(parseCsvHeader('seq,t')).toContain('"ts"');
    expect(parseCsvHeader('ts,t,t')).toBe('the CSV header names "t" twice');
    expect(parseCsvHeader('ts,bad name')).toContain('not a metric name');
  });

  it('reads a CSV row under its header: seq 0 without a seq column, an empty cell is an absent metric, hex is not a number', () => {
    const header = parseCsvHeader('ts,t,h');
    if (typeof header === 'string') throw new Error(header);
    expect(parseCsvLine('5,1.5,', header, 'd', now)).toEqual({ ok: true, reading: { deviceId: 'd', ts: 5, seq: 0, values: { t: 1.5 } } });
    expect(parseCsvLine('5,0x10,1', header, 'd', now)).toMatchObject({
      ok: false,
      reason: 'metric "t" must be a finite number, received "0x10"',
    });
    expect(parseCsvLine('5,1', header, 'd', now)).toMatchObject({ ok: false, reason: '2 cells, the header has 3 columns' });
  });
});
