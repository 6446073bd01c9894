/**
 * User-built dashboards on the wire (ThingsBoard's dashboards, Fleet-sized). A dashboard belongs to
 * the user who created it; `shared` makes it visible, read-only, to everyone in the organisation.
 * Only its owner (or an admin) changes or deletes it. Updates are optimistic: they name the
 * `version` they were made from, and a dashboard changed since answers 409 DashboardVersionConflict,
 * so two editors never overwrite each other silently.
 *
 * The API Service owns them (table `fleet-dashboards`, `dashboardsTable`); the web app renders the
 * widgets from the existing APIs (telemetry intervals, latest values, alarms) and the status
 * counts from one bounded call, never from a listing of the whole fleet.
 */
import { Type, type Static } from 'typebox';
import { DeviceIdSchema } from '../telemetry-contract.ts';
import { telemetryLimits } from '../telemetry.ts';

/** Bounds of a dashboard: what one page load may fetch stays small whatever the fleet's size. */
export const dashboardLimits = {
  /** Dashboards a user may own. */
  maxPerOwner: 50,
  /** Shared dashboards listed (newest first). */
  maxSharedListed: 100,
  maxNameLength: 128,
  /** Widgets on one dashboard. */
  maxWidgets: 24,
  /** Devices × metrics of a time-series widget (each is one telemetry call). */
  maxSeriesPerWidget: 8,
  /** Devices of a table widget (one `GET /api/devices/:id` each). */
  maxTableDevices: 20,
  maxTableMetrics: 8,
  maxTitleLength: 80,
  /** Alarms an alarm-list widget shows. */
  maxAlarmRows: 50,
  /** The grid: 12 columns (as Bootstrap and react-grid-layout), rows of a fixed height. */
  columns: 12,
  maxRows: 200,
  maxHeight: 12,
} as const;

/** Relative ranges a dashboard offers (ThingsBoard's "last N" time window), in milliseconds. */
export const relativeRanges = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
export type RelativeRange = keyof typeof relativeRanges;

/** Auto-refresh intervals, in seconds (0: off). */
export const refreshIntervals = { off: 0, '10s': 10, '30s': 30, '1m': 60, '5m': 300 } as const;
export type RefreshInterval = keyof typeof refreshIntervals;

const MetricNameSchema = Type.String({ pattern: telemetryLimits.metricNamePattern.source, maxLength: 64, description: 'Metric name' });
const isoTime = (description: string) => Type.String({ format: 'date-time', maxLength: 40, description: `${description} (ISO 8601)` });
const strict = { additionalProperties: false } as const;

export const DashboardIdSchema = Type.String({
  pattern: '^[a-z0-9]{8,32}$',
  maxLength: 32,
  description: 'Dashboard id (chosen by the service)',
});

export const TimeRangeSchema = Type.Union(
  [
    Type.Object({ kind: Type.Literal('relative'), last: Type.Enum(Object.keys(relativeRanges) as RelativeRange[]) }, strict),
    Type.Object(
      {
        kind: Type.Literal('absolute'),
        from: Type.Integer({ minimum: 0, description: 'Start, epoch ms' }),
        to: Type.Integer({ minimum: 1, description: 'End, epoch ms (after from)' }),
      },
      strict,
    ),
  ],
  { description: 'The last 1h / 24h / 7d, or a fixed range' },
);
export type TimeRange = Static<typeof TimeRangeSchema>;

/** A widget's place on the grid, in columns and rows from the top left. */
export const GridRectSchema = Type.Object(
  {
    x: Type.Integer({ minimum: 0, maximum: dashboardLimits.columns - 1 }),
    y: Type.Integer({ minimum: 0, maximum: dashboardLimits.maxRows - 1 }),
    w: Type.Integer({ minimum: 1, maximum: dashboardLimits.columns }),
    h: Type.Integer({ minimum: 1, maximum: dashboardLimits.maxHeight }),
  },
  strict,
);
export type GridRect = Static<typeof GridRectSchema>;

const DeviceMetricSchema = Type.Object({ deviceId: DeviceIdSchema, metric: MetricNameSchema }, strict);
export type DeviceMetric = Static<typeof DeviceMetricSchema>;
const Decimals = Type.Optional(Type.Integer({ minimum: 0, maximum: 6, description: 'Decimals shown @default 1' }));

/** The typed configuration of each kind of widget. */
export const WidgetConfigSchema = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('timeseries'),
      series: Type.Array(DeviceMetricSchema, { minItems: 1, maxItems: dashboardLimits.maxSeriesPerWidget }),
    },
    strict,
  ),
  Type.Object({ kind: Type.Literal('latest'), source: DeviceMetricSchema, decimals: Decimals }, strict),
  Type.Object(
    {
      kind: Type.Literal('gauge'),
      source: DeviceMetricSchema,
      min: Type.Number({ description: 'Value at the start of the dial' }),
      max: Type.Number({ description: 'Value at its end (above min)' }),
      decimals: Decimals,
    },
    strict,
  ),
  Type.Object(
    {
      kind: Type.Literal('table'),
      deviceIds: Type.Array(DeviceIdSchema, { minItems: 1, maxItems: dashboardLimits.maxTableDevices }),
      metrics: Type.Array(MetricNameSchema, { minItems: 1, maxItems: dashboardLimits.maxTableMetrics }),
    },
    strict,
  ),
  Type.Object(
    {
      kind: Type.Literal('alarms'),
      status: Type.Optional(Type.Enum(['ACTIVE', 'ACKNOWLEDGED', 'CLEARED'] as const)),
      limit: Type.Integer({ minimum: 1, maximum: dashboardLimits.maxAlarmRows }),
    },
    strict,
  ),
  Type.Object({ kind: Type.Literal('status') }, strict),
]);
export type WidgetConfig = Static<typeof WidgetConfigSchema>;
export type WidgetKind = WidgetConfig['kind'];
export const widgetKinds = ['timeseries', 'latest', 'gauge', 'table', 'alarms', 'status'] as const satisfies readonly WidgetKind[];

export const WidgetSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9-]{1,32}$', maxLength: 32, description: 'Unique on its dashboard' }),
    title: Type.String({ minLength: 1, maxLength: dashboardLimits.maxTitleLength }),
    layout: GridRectSchema,
    config: WidgetConfigSchema,
  },
  strict,
);
export type Widget = Static<typeof WidgetSchema>;

/** What a client sends to create or replace a dashboard. */
export const DashboardInputSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: dashboardLimits.maxNameLength }),
    shared: Type.Boolean({ description: 'Visible, read-only, to everyone in the organisation' }),
    timeRange: TimeRangeSchema,
    refresh: Type.Enum(Object.keys(refreshIntervals) as RefreshInterval[], { description: 'Auto-refresh interval' }),
    widgets: Type.Array(WidgetSchema, { maxItems: dashboardLimits.maxWidgets }),
  },
  strict,
);
export type DashboardInput = Static<typeof DashboardInputSchema>;

/** A replacement names the version it was made from (optimistic concurrency). */
export const DashboardUpdateSchema = Type.Object(
  { ...DashboardInputSchema.properties, version: Type.Integer({ minimum: 1, description: 'The version this edit started from' }) },
  strict,
);
export type DashboardUpdate = Static<typeof DashboardUpdateSchema>;

export const DashboardSchema = Type.Object({
  ...DashboardInputSchema.properties,
  id: DashboardIdSchema,
  owner: Type.String({ maxLength: 128, description: "The owner's `sub`" }),
  ownerName: Type.String({
    maxLength: 128,
    description: "The owner's e-mail address (their username where the user pool no longer knows them)",
  }),
  version: Type.Integer({ minimum: 1 }),
  createdAt: isoTime('Creation time'),
  updatedAt: isoTime('Last change'),
  /** Whether the caller may change it (the owner or an admin). */
  editable: Type.Boolean({ description: 'The caller may change or delete it' }),
});
export type Dashboard = Static<typeof DashboardSchema>;

/** One line of the list: no widgets. */
export const DashboardSummarySchema = Type.Object({
  id: DashboardIdSchema,
  name: DashboardSchema.properties.name,
  owner: DashboardSchema.properties.owner,
  ownerName: DashboardSchema.properties.ownerName,
  shared: Type.Boolean(),
  widgetCount: Type.Integer({ minimum: 0 }),
  updatedAt: isoTime('Last change'),
  editable: Type.Boolean(),
});
export type DashboardSummary = Static<typeof DashboardSummarySchema>;

export const DashboardListSchema = Type.Object({
  dashboards: Type.Array(DashboardSummarySchema, { maxItems: dashboardLimits.maxPerOwner + dashboardLimits.maxSharedListed }),
});
export type DashboardList = Static<typeof DashboardListSchema>;

/** Paths under `/api`. */
export const dashboardPaths = {
  /** GET DashboardList (mine, then shared); POST DashboardInput → 201 Dashboard. */
  dashboards: '/dashboards',
  /** GET Dashboard; PUT DashboardUpdate → Dashboard (409 on a stale version); DELETE → 204. */
  dashboard: '/dashboards/:id',
} as const;

/** The range a dashboard's time range stands for at `now`, in epoch ms. */
export function resolveTimeRange(range: TimeRange, now: number): { from: number; to: number } {
  return range.kind === 'absolute' ? { from: range.from, to: range.to } : { from: now - relativeRanges[range.last], to: now };
}
