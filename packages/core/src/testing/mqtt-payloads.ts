/**
 * fast-check arbitraries of MQTT payloads a device might publish on its telemetry topic, for the
 * fuzz tests of the rules engine and the Data Service: valid readings, near misses, wrong types,
 * numbers no table can hold, JSON nested deeper than a recursive serialiser survives, bytes that
 * are not UTF-8, and payloads up to AWS IoT's 128 KB. Test support only (`@fleet/core/testing`).
 */
import fc from 'fast-check';
import { telemetryLimits } from '../telemetry.ts';

const encode = (text: string) => new TextEncoder().encode(text);

/** Device time around `now`: valid, late, in the future, or not a time at all. */
const anyTs = (now: number) =>
  fc.oneof(
    fc.integer({ min: now - telemetryLimits.maxAgeMs, max: now }),
    fc.integer({ min: now - 2 * telemetryLimits.maxAgeMs, max: now + 2 * telemetryLimits.maxFutureSkewMs }),
    fc.double(),
    fc.string(),
    fc.constant(null),
  );

/** Numbers a reading may carry, including those DynamoDB cannot store (1e300, 5e-324). */
const anyNumberText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom('1e300', '-1e300', '5e-324', '1e-131', '9.99e125', '1e126', '0', '-0', '1e400', '123456789012345678901234567890'),
);

const metricName = fc.oneof(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,20}$/), fc.string({ maxLength: 10 }));

/** A JSON object shaped like a reading, each part possibly wrong. */
const readingLike = (now: number) =>
  fc
    .record({
      ts: anyTs(now),
      seq: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.string()),
      metrics: fc.array(fc.tuple(metricName, fc.oneof(anyNumberText, fc.json())), { maxLength: 40 }),
    })
    .map(({ ts, seq, metrics }) => {
      const fields = metrics.map(([name, value]) => `${JSON.stringify(name)}:${value}`);
      return `{"ts":${JSON.stringify(ts)},"seq":${JSON.stringify(seq)}${fields.map((f) => `,${f}`).join('')}}`;
    });

/** JSON nested so deep that `JSON.stringify` overflows its stack, in the place of a field or as the whole payload. */
const deeplyNested = (now: number) =>
  fc
    .record({ depth: fc.integer({ min: 5_000, max: 60_000 }), where: fc.constantFrom('ts', 'seq', 'metric', 'whole') })
    .map(({ depth, where }) => {
      const deep = '['.repeat(depth) + ']'.repeat(depth);
      if (where === 'whole') return `{"a":${deep}}`;
      const field = where === 'metric' ? 'temperature' : where;
      return `{"ts":${now},"seq":1,"temperature":1,${JSON.stringify(field)}:${deep}}`;
    });

/** Payloads of every kind above, as bytes. */
export function mqttPayloads(now: number): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 4, arbitrary: readingLike(now).map(encode) },
    { weight: 2, arbitrary: fc.json().map(encode) },
    { weight: 1, arbitrary: deeplyNested(now).map(encode) },
    // Not UTF-8 (lone continuation bytes, truncated sequences) or not text at all.
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map(encode) },
    // AWS IoT's largest payload, as one valid-looking object with one huge string metric.
    { weight: 1, arbitrary: fc.constant(encode(`{"ts":${now},"seq":1,"big":"${'x'.repeat(telemetryLimits.maxPayloadBytes - 40)}"}`)) },
  );
}
