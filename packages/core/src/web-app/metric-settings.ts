/**
 * Metric display settings: how the web app shows each metric, fleet-wide (metric name → label,
 * unit, decimals). Stored by the API Service in its own table (`fleet-metric-settings`, one item
 * per metric); everyone signed in reads them, operators and admins change them
 * (`manageMetricSettings`). One formatter of the web app (`format.ts`) applies them wherever a
 * value is shown: device header, live values, chart axes and legends, device list.
 */
import { Type, type Static } from 'typebox';
import { telemetryLimits } from '../telemetry.ts';

export const metricSettingLimits = {
  maxLabelLength: 64,
  maxUnitLength: 16,
  /** Digits after the point a setting may ask for (a float64 holds about 15 significant ones). */
  maxDecimals: 6,
  /** Settings in the whole fleet: one per metric name a device ever published, bounded for one answer. */
  maxSettings: 1000,
  /** Digits shown when a metric has no setting (or its setting names no decimals): at most two, trailing zeros dropped. */
  defaultMaxDecimals: 2,
} as const;

const MetricNameSchema = Type.String({
  pattern: telemetryLimits.metricNamePattern.source,
  maxLength: 64,
  description: 'Metric name, as devices publish it',
});

/** What a user sets for one metric; every field optional (an absent one keeps the default). */
export const MetricSettingInputSchema = Type.Object(
  {
    label: Type.Optional(
      Type.String({ minLength: 1, maxLength: metricSettingLimits.maxLabelLength, description: 'Name shown instead of the metric name' }),
    ),
    unit: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: metricSettingLimits.maxUnitLength,
        description: 'Unit shown after a value, e.g. "°C", "%", "hPa"',
      }),
    ),
    decimals: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: metricSettingLimits.maxDecimals,
        description: `Digits after the decimal point, always shown; absent: up to ${metricSettingLimits.defaultMaxDecimals}, trailing zeros dropped`,
      }),
    ),
  },
  { additionalProperties: false },
);
export type MetricSettingInput = Static<typeof MetricSettingInputSchema>;

/** One stored setting, with who changed it last and when. */
export const MetricSettingSchema = Type.Object({
  metric: MetricNameSchema,
  ...MetricSettingInputSchema.properties,
  updatedAt: Type.String({ format: 'date-time', maxLength: 40 }),
  updatedBy: Type.String({ maxLength: 128, description: 'Username of who changed it last' }),
});
export type MetricSetting = Static<typeof MetricSettingSchema>;

/** `GET /api/metric-settings`: every metric that has a setting, by name. */
export const MetricSettingListSchema = Type.Object({
  settings: Type.Array(MetricSettingSchema, { maxItems: metricSettingLimits.maxSettings }),
});
export type MetricSettingList = Static<typeof MetricSettingListSchema>;

export const MetricSettingParamsSchema = Type.Object({ metric: MetricNameSchema }, { additionalProperties: false });

/** The API paths (under `/api`). */
export const metricSettingPaths = {
  /** GET MetricSettingList (readDevices). */
  list: '/metric-settings',
  /** PUT MetricSettingInput → MetricSetting, DELETE → 204 (manageMetricSettings). */
  one: '/metric-settings/:metric',
} as const;
