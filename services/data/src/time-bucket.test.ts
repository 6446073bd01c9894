import { telemetryLimits } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { decodeValues, encodeValues } from './reading-codec.ts';
import { daysBetween, expiresAt, locate, readingAt, windowMs, windowStartOf } from './time-bucket.ts';

const t = Date.UTC(2024, 10, 24, 9, 20, 17, 345); // 2024-11-24T09:20:17.345Z

describe('time buckets', () => {
  it('maps a reading to its UTC day partition, its minute window and an attribute named from (offset, seq)', () => {
    expect(locate('dev-1', t, 42)).toEqual({ pk: 'dev-1#2024-11-24', sk: '2024-11-24T09:20:00.000Z', attribute: 'r17345_42' });
  });

  it('maps the same (deviceId, ts, seq) to the same location every time, and different seqs apart', () => {
    expect(locate('d', t, 1)).toEqual(locate('d', t, 1));
    expect(locate('d', t, 1).attribute).not.toBe(locate('d', t, 2).attribute);
  });

  it('puts the first and last millisecond of a window in the same item and the next millisecond in the next one', () => {
    const start = Date.UTC(2024, 0, 1, 0, 5);
    expect(locate('d', start, 0).sk).toBe(locate('d', start + windowMs - 1, 0).sk);
    expect(locate('d', start + windowMs, 0).sk).not.toBe(locate('d', start, 0).sk);
  });

  it('splits partitions at UTC midnight', () => {
    const midnight = Date.UTC(2024, 0, 2);
    expect(locate('d', midnight - 1, 0).pk).toBe('d#2024-01-01');
    expect(locate('d', midnight, 0).pk).toBe('d#2024-01-02');
  });

  it('recovers (ts, seq) from the sort key and attribute name, and ignores other attributes', () => {
    const loc = locate('d', t, 7);
    expect(readingAt(windowStartOf(loc.sk), loc.attribute)).toEqual({ ts: t, seq: 7 });
    expect(readingAt(windowStartOf(`${loc.sk}#${loc.attribute}`), loc.attribute)).toEqual({ ts: t, seq: 7 });
    expect(readingAt(windowStartOf(loc.sk), 'expiresAt')).toBeUndefined();
    expect(readingAt(windowStartOf(loc.sk), 'pk')).toBeUndefined();
  });

  it('reads the window start of an item once and every reading attribute from it', () => {
    const loc = locate('d', t, 7);
    const start = windowStartOf(`${loc.sk}#r1_2`);
    expect(start).toBe(Date.UTC(2024, 10, 24, 9, 20));
    expect(readingAt(start, loc.attribute)).toEqual({ ts: t, seq: 7 });
    expect(readingAt(start, 'expiresAt')).toBeUndefined();
    expect(() => windowStartOf('not-a-date')).toThrow(/does not start with an ISO window start/);
  });

  it('expires an item the retention after the end of its window, in epoch seconds', () => {
    const windowEnd = Date.UTC(2024, 10, 24, 9, 21);
    expect(expiresAt(t)).toBe((windowEnd + telemetryLimits.maxAgeMs) / 1000);
  });

  it('lists every UTC day a range touches', () => {
    const days = daysBetween(Date.UTC(2024, 0, 1, 23), Date.UTC(2024, 0, 3, 1));
    expect(days.map((d) => new Date(d).toISOString().slice(0, 10))).toEqual(['2024-01-01', '2024-01-02', '2024-01-03']);
  });
});

describe('reading values encoding', () => {
  it('round-trips metric values as a compact JSON string', () => {
    const values = { temperature: 21.5, humidity: 40, battery: -0.25 };
    const encoded = encodeValues(values);
    expect(encoded).toBe('{"temperature":21.5,"humidity":40,"battery":-0.25}');
    expect(decodeValues(encoded)).toEqual(values);
  });

  it('refuses stored text that is not a record of numbers', () => {
    expect(() => decodeValues('[1,2]')).toThrow(/JSON object/);
    expect(() => decodeValues('{"a":"x"}')).toThrow(/"a" must be a number/);
  });
});
