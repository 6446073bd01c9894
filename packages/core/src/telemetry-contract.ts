/**
 * Telemetry on the wire: what the Data Service answers about stored readings (latest values,
 * downsampled intervals, raw pages), what the API Service relays after checking them, and what the
 * web app reads. One TypeBox schema per shape gives both services their response serialization and
 * documentation, the API and the web app their checks of an answer, and everyone the static type.
 *
 * Every string and every map is bounded, so the OpenAPI document says how large an answer can be.
 * Objects are open for additions (a reader ignores fields it does not know, so a newer service may
 * add one); maps accept only the keys their pattern names.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { ResolutionSchema } from './data-life/rollups.ts';
import { telemetryLimits } from './telemetry.ts';
import { deviceIdPattern } from './topics.ts';

/**
 * Bounds of the telemetry queries, which the Data Service enforces and the API Service documents
 * and checks before relaying (so a bad query never travels and the OpenAPI document shows them).
 */
export const telemetryQueryLimits = {
  defaultMaxPoints: 500,
  maxMaxPoints: 2000,
  defaultRawLimit: 500,
  maxRawLimit: 1000,
  /** Raw-reading cursors are short base64url strings of `<ts>_<seq>`. */
  maxCursorLength: 64,
  /** A comma-separated list of metric names. */
  maxMetricsLength: 1024,
  /**
   * Series in one downsampled answer: a device may change its metric names over time, so a range
   * can hold more names than one reading (32); beyond this many the answer says `truncated`.
   */
  maxSeries: 256,
  /** `from` / `to`: epoch milliseconds or an ISO 8601 time. */
  maxTimeLength: 64,
} as const;

export const DeviceIdSchema = Type.String({
  pattern: deviceIdPattern.source,
  maxLength: 64,
  description: 'Device id, also the AWS IoT thing name and the MQTT client id',
  examples: ['greenhouse-sensor-k3x9q2'],
});

const metricName = Type.String({ pattern: telemetryLimits.metricNamePattern.source, maxLength: 64 });

/**
 * A map keyed by metric names. The key rule is said twice on purpose: `patternProperties` (with no
 * other keys allowed) is what TypeBox builds a record from; `propertyNames` is how OpenAPI 3.1
 * shows it (@fastify/swagger turns pattern properties into `additionalProperties`).
 */
const byMetricName = <T extends TSchema>(value: T, options: { maxProperties: number; description: string }) =>
  Type.Record(metricName, value, { ...options, additionalProperties: false, propertyNames: metricName });
const epochMs = (description: string) => Type.Integer({ minimum: 0, description: `${description}, epoch milliseconds` });

/** The metrics of one reading: name → finite number, at most 32 (see `parseReading`). */
export const MetricValuesSchema = byMetricName(Type.Number(), {
  maxProperties: telemetryLimits.maxMetrics,
  description: 'Metric name → value',
});

/** A stored reading as queries return it. */
export const StoredReadingSchema = Type.Object({
  ts: epochMs('Device time'),
  seq: Type.Integer({ minimum: 0, description: 'Per-device sequence number' }),
  values: MetricValuesSchema,
});
export type StoredReading = Static<typeof StoredReadingSchema>;

/** The newest reading of a device (by device time, then seq), with when the broker received it. */
export const LatestReadingSchema = Type.Object({
  ...StoredReadingSchema.properties,
  receivedAt: epochMs('Broker receive time'),
});
export type LatestReading = Static<typeof LatestReadingSchema>;

/** `GET /data/devices/:id/latest`, `GET /api/devices/:id/telemetry/latest`. */
export const LatestValuesSchema = Type.Object({ deviceId: DeviceIdSchema, ...LatestReadingSchema.properties });
export type LatestValues = Static<typeof LatestValuesSchema>;

/** One downsampled interval of one metric. `t` is the interval start, epoch ms. */
export const ReadingIntervalSchema = Type.Object({
  t: epochMs('Interval start'),
  min: Type.Number(),
  max: Type.Number(),
  avg: Type.Number(),
  count: Type.Integer({ minimum: 1, description: 'Readings in the interval' }),
});
export type ReadingInterval = Static<typeof ReadingIntervalSchema>;

/** `GET /data/devices/:id/readings`, `GET /api/devices/:id/telemetry`: each metric's intervals, in time order. */
export const ReadingIntervalsSchema = Type.Object({
  deviceId: DeviceIdSchema,
  from: epochMs('Range start (inclusive)'),
  to: epochMs('Range end (inclusive)'),
  intervalMs: Type.Integer({ minimum: 1, description: 'Width of an interval' }),
  resolution: Type.Optional(ResolutionSchema),
  metrics: byMetricName(Type.Array(ReadingIntervalSchema, { maxItems: telemetryQueryLimits.maxMaxPoints }), {
    maxProperties: telemetryQueryLimits.maxSeries,
    description: 'Metric name → its intervals (empty intervals are left out)',
  }),
  truncated: Type.Optional(
    Type.Literal(true, {
      description: `The range holds more than ${telemetryQueryLimits.maxSeries} metrics; ask for the others with \`metrics\``,
    }),
  ),
});
export type ReadingIntervals = Static<typeof ReadingIntervalsSchema>;

/** `GET /data/devices/:id/readings/raw`, `GET /api/devices/:id/telemetry/raw`: one page, ordered by (ts, seq). */
export const RawReadingsPageSchema = Type.Object({
  deviceId: DeviceIdSchema,
  readings: Type.Array(StoredReadingSchema, { maxItems: telemetryQueryLimits.maxRawLimit }),
  nextCursor: Type.Optional(
    Type.String({ maxLength: telemetryQueryLimits.maxCursorLength, description: 'Absent on the last page; pass it as `cursor`' }),
  ),
});
export type RawReadingsPage = Static<typeof RawReadingsPageSchema>;
