/**
 * The telemetry reading: what a device publishes and what the Data Service stores.
 *
 * Payload (JSON object, UTF-8, at most 128 KB as in AWS IoT):
 *   { "ts": 1732440000000, "seq": 42, "temperature": 21.5, "humidity": 40 }
 * `ts` is device time in epoch milliseconds, `seq` a per-device counter; every other field is a
 * numeric metric. (deviceId, ts, seq) identifies a reading: a redelivery is stored once.
 */

export interface Reading {
  readonly deviceId: string;
  /** Device time, epoch milliseconds. */
  readonly ts: number;
  /** Per-device sequence number, a non-negative integer. */
  readonly seq: number;
  readonly values: Readonly<Record<string, number>>;
}

export const telemetryLimits = {
  maxPayloadBytes: 128 * 1024,
  maxMetrics: 32,
  metricNamePattern: /^[A-Za-z][A-Za-z0-9_]{0,63}$/,
  /** Clock skew tolerated for device time ahead of the broker's receive time. */
  maxFutureSkewMs: 5 * 60 * 1000,
  /** Late readings are accepted up to this age (the time series retention). */
  maxAgeMs: 30 * 24 * 3600 * 1000,
} as const;

export type ParseResult = { readonly ok: true; readonly reading: Reading } | { readonly ok: false; readonly reason: string };

/**
 * A short description of any JSON value for an error message: never throws and never recurses, so
 * a payload nested thousands of levels deep (which overflows `JSON.stringify`'s stack) still gets
 * its reason.
 */
export function describeJsonValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length} element${value.length === 1 ? '' : 's'}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

/**
 * DynamoDB stores numbers from 1E-130 to 9.99…E+125 in magnitude, and 0
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number):
 * a reading outside it would be refused by the table (ValidationException) on every delivery.
 */
const storableNumber = (v: number) => v === 0 || (Math.abs(v) >= 1e-130 && Math.abs(v) < 1e126);

const reserved = new Set(['ts', 'seq']);

/** Validates a raw payload; never throws. `receivedAt` is the broker's receive time (epoch ms). */
export function parseReading(deviceId: string, payload: Uint8Array, receivedAt: number): ParseResult {
  if (payload.byteLength > telemetryLimits.maxPayloadBytes) {
    return { ok: false, reason: `payload is ${payload.byteLength} bytes, the limit is ${telemetryLimits.maxPayloadBytes}` };
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (err) {
    return { ok: false, reason: `payload is not UTF-8 JSON: ${(err as Error).message}` };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, reason: `payload must be a JSON object, received ${Array.isArray(body) ? 'an array' : typeof body}` };
  }
  const record = body as Record<string, unknown>;
  const { ts, seq } = record;
  if (typeof ts !== 'number' || !Number.isInteger(ts) || ts <= 0) {
    return { ok: false, reason: `"ts" must be epoch milliseconds (a positive integer), received ${describeJsonValue(ts)}` };
  }
  if (ts > receivedAt + telemetryLimits.maxFutureSkewMs) {
    return { ok: false, reason: `"ts" ${ts} is ${ts - receivedAt} ms in the future (tolerance ${telemetryLimits.maxFutureSkewMs} ms)` };
  }
  if (ts < receivedAt - telemetryLimits.maxAgeMs) {
    return { ok: false, reason: `"ts" ${ts} is older than the retention of ${telemetryLimits.maxAgeMs / 86_400_000} days` };
  }
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    return { ok: false, reason: `"seq" must be a non-negative integer, received ${describeJsonValue(seq)}` };
  }
  const metrics = parseMetrics(record);
  if (!metrics.ok) return metrics;
  return { ok: true, reading: { deviceId, ts, seq, values: metrics.values } };
}

export type MetricsResult =
  { readonly ok: true; readonly values: Readonly<Record<string, number>> } | { readonly ok: false; readonly reason: string };

/**
 * The metrics of a reading's fields (every field but `skip`: by default `ts` and `seq`), checked as
 * a published reading's are: names, finite numbers DynamoDB can store, at least one and at most
 * `maxMetrics`. Shared by `parseReading` and the Data Service's historical import; never throws.
 */
export function parseMetrics(fields: Readonly<Record<string, unknown>>, skip: ReadonlySet<string> = reserved): MetricsResult {
  const values: Record<string, number> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (skip.has(name)) continue;
    if (!telemetryLimits.metricNamePattern.test(name)) {
      return { ok: false, reason: `metric name ${describeJsonValue(name)} must match ${telemetryLimits.metricNamePattern}` };
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return { ok: false, reason: `metric "${name}" must be a finite number, received ${describeJsonValue(value)}` };
    }
    if (!storableNumber(value)) {
      return { ok: false, reason: `metric "${name}" is ${value}: a stored number is 0 or between 1e-130 and 1e126 in magnitude` };
    }
    values[name] = value;
  }
  const count = Object.keys(values).length;
  if (count === 0) return { ok: false, reason: 'payload has no metric besides "ts" and "seq"' };
  if (count > telemetryLimits.maxMetrics) {
    return { ok: false, reason: `payload has ${count} metrics, the limit is ${telemetryLimits.maxMetrics}` };
  }
  return { ok: true, values };
}
