import { describe, expect, it } from 'vitest';
import { describeJsonValue, parseReading } from './telemetry.ts';

const receivedAt = Date.UTC(2026, 0, 1);
const parse = (payload: string) => parseReading('dev-1', new TextEncoder().encode(payload), receivedAt);
const reason = (payload: string) => {
  const r = parse(payload);
  return r.ok ? 'accepted' : r.reason;
};
/** JSON nested `depth` levels deep: JSON.parse reads it, JSON.stringify overflows its stack. */
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('parseReading', () => {
  it('accepts a reading', () => {
    expect(parse(`{"ts":${receivedAt},"seq":3,"temperature":21.5}`)).toEqual({
      ok: true,
      reading: { deviceId: 'dev-1', ts: receivedAt, seq: 3, values: { temperature: 21.5 } },
    });
  });

  it('gives a reason, instead of throwing, for values nested too deep to serialise', () => {
    expect(() => JSON.stringify(JSON.parse(nested(60_000)))).toThrow(RangeError);
    expect(reason(`{"ts":${nested(60_000)},"seq":1,"t":1}`)).toBe(
      '"ts" must be epoch milliseconds (a positive integer), received an array of 1 element',
    );
    expect(reason(`{"ts":${receivedAt},"seq":{"a":${nested(60_000)}},"t":1}`)).toBe(
      '"seq" must be a non-negative integer, received an object',
    );
    expect(reason(`{"ts":${receivedAt},"seq":1,"t":${nested(60_000)}}`)).toBe(
      'metric "t" must be a finite number, received an array of 1 element',
    );
  });

  it('refuses a metric DynamoDB cannot store, which the latest table would refuse on every delivery', () => {
    expect(reason(`{"ts":${receivedAt},"seq":1,"t":1e200}`)).toBe(
      'metric "t" is 1e+200: a stored number is 0 or between 1e-130 and 1e126 in magnitude',
    );
    expect(reason(`{"ts":${receivedAt},"seq":1,"t":-1e-200}`)).toMatch(/metric "t" is -1e-200/);
    expect(reason(`{"ts":${receivedAt},"seq":1,"t":0,"u":-9.9e125,"v":1e-130}`)).toBe('accepted');
  });
});

describe('describeJsonValue', () => {
  it('describes any value briefly', () => {
    expect(describeJsonValue(undefined)).toBe('nothing');
    expect(describeJsonValue(null)).toBe('null');
    expect(describeJsonValue(12)).toBe('12');
    expect(describeJsonValue('x'.repeat(100))).toBe(`"${'x'.repeat(64)}…"`);
    expect(describeJsonValue([1, 2])).toBe('an array of 2 elements');
    expect(describeJsonValue({ a: 1 })).toBe('an object');
  });
});
