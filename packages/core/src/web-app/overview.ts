/**
 * The Overview (`GET /api/overview`): the fleet as a whole on the page a person lands on after
 * signing in. One answer with four parts, each of which is answered on its own: a part whose
 * source failed (CloudWatch unreachable, the Data Service down) is `{ available: false, reason }`
 * while the others still answer, never a 5xx of the whole.
 *
 * A device's status (online, offline, silent) is defined once, in device-status.ts: the overview
 * counts it, a dashboard's status counts count it, and the device list filters by it
 * (`/devices?status=online|offline|silent`).
 */
import { Type, type Static, type TSchema } from 'typebox';
import { AlarmDefinitionIdSchema, AlarmSeveritySchema, alarmSeverities, type AlarmSeverity } from '../alarm-contract.ts';
import { DeviceIdSchema } from '../telemetry-contract.ts';
import { type DeviceStatus } from './device-status.ts';

/** Sizes of the overview's lists and series. */
export const overviewLimits = {
  /** Newest active alarms and newest dead letters shown. */
  newest: 5,
  /** Active alarms counted at most (pages of the Data Service's alarm list); above it `more` is set. */
  maxAlarmsCounted: 1_000,
  /** The readings and rejects series: one point per minute over this many minutes. */
  minutes: 60,
} as const;

/** Where a person goes from the overview: paths of the web app. */
export const overviewLinks = {
  devicesWithStatus: (status: DeviceStatus) => `/devices?status=${status}`,
  device: (deviceId: string) => `/devices/${encodeURIComponent(deviceId)}`,
  alarms: '/alarms',
  deadLetters: '/dead-letters',
} as const;

/** `GET /api/overview`, under the API's `/api` prefix. */
export const overviewPath = '/overview';

const isoTime = (description: string) => Type.String({ format: 'date-time', maxLength: 40, description: `${description} (ISO 8601)` });
const count = (description: string) => Type.Integer({ minimum: 0, description });
const link = Type.String({ maxLength: 300, description: 'Where the web app shows it' });

/** A part that failed to load: why, in words a person can act on. */
export const UnavailablePartSchema = Type.Object({
  available: Type.Literal(false),
  reason: Type.String({ maxLength: 1024, description: 'What failed, e.g. "CloudWatch did not answer"' }),
});

/** A part of the overview: its fields when its source answered, else `{ available: false, reason }`. */
const part = <T extends Record<string, TSchema>>(title: string, fields: T) =>
  Type.Union([Type.Object({ available: Type.Literal(true), ...fields }, { title }), UnavailablePartSchema]);

export const DeviceCountsSchema = part('DeviceCounts', {
  total: count('Registered devices'),
  online: count('Connected, and heard from within `silentAfterMs`'),
  offline: count('Not connected (or never connected)'),
  silent: count('Connected, but no reading for longer than `silentAfterMs`'),
  silentAfterMs: Type.Integer({ minimum: 1, description: 'The silence threshold, milliseconds' }),
});
export type DeviceCounts = Static<typeof DeviceCountsSchema>;

const bySeverity = Type.Object(
  Object.fromEntries(alarmSeverities.map((s) => [s, count(`${s} alarms`)])) as Record<AlarmSeverity, ReturnType<typeof count>>,
);

export const OverviewAlarmSchema = Type.Object({
  definitionId: AlarmDefinitionIdSchema,
  deviceId: DeviceIdSchema,
  name: Type.String({ maxLength: 128 }),
  severity: AlarmSeveritySchema,
  status: Type.Union([Type.Literal('ACTIVE'), Type.Literal('ACKNOWLEDGED')]),
  reason: Type.String({ maxLength: 1024 }),
  activeAt: isoTime('Became ACTIVE'),
  link,
});
export type OverviewAlarm = Static<typeof OverviewAlarmSchema>;

export const ActiveAlarmsSchema = part('ActiveAlarms', {
  total: count('Alarms not cleared (ACTIVE and ACKNOWLEDGED), up to `maxAlarmsCounted`'),
  more: Type.Boolean({ description: 'More alarms are open than were counted' }),
  byStatus: Type.Object({ ACTIVE: count('Not acknowledged'), ACKNOWLEDGED: count('Acknowledged, not cleared') }),
  bySeverity,
  newest: Type.Array(OverviewAlarmSchema, { maxItems: overviewLimits.newest, description: 'Newest first (by `activeAt`)' }),
  link,
});

export const ThroughputMinuteSchema = Type.Object({
  t: Type.Number({ description: "The minute's start, epoch milliseconds" }),
  readings: count('Readings stored in the minute (CloudWatch `ReadingsStored`, Sum)'),
  rejected: count('Readings rejected as dead letters in the minute (CloudWatch `ReadingsRejected`, Sum)'),
});
export type ThroughputMinute = Static<typeof ThroughputMinuteSchema>;

export const ThroughputSchema = part('Throughput', {
  from: Type.Number({ description: 'Start of the first minute, epoch milliseconds' }),
  to: Type.Number({ description: 'End of the last minute (the current one), epoch milliseconds' }),
  minutes: Type.Array(ThroughputMinuteSchema, {
    maxItems: overviewLimits.minutes,
    description: 'One point per minute, oldest first; a minute with no datapoint counts 0',
  }),
  readings: count('Readings stored over the whole window'),
  rejected: count('Readings rejected over the whole window'),
});
export type Throughput = Static<typeof ThroughputSchema>;

export const OverviewDeadLetterSchema = Type.Object({
  key: Type.String({ maxLength: 1024 }),
  deviceId: Type.Optional(DeviceIdSchema),
  reason: Type.String({ maxLength: 2048 }),
  receivedAt: Type.Number({ description: 'Epoch milliseconds' }),
  link,
});

export const RecentDeadLettersSchema = part('RecentDeadLetters', {
  newest: Type.Array(OverviewDeadLetterSchema, { maxItems: overviewLimits.newest, description: 'Newest first' }),
  link,
});

export const OverviewSchema = Type.Object(
  {
    generatedAt: isoTime('When the answer was put together'),
    devices: DeviceCountsSchema,
    alarms: ActiveAlarmsSchema,
    throughput: ThroughputSchema,
    deadLetters: Type.Optional(RecentDeadLettersSchema),
  },
  { title: 'Overview', description: '`deadLetters` is present only for roles that may read dead letters.' },
);
export type Overview = Static<typeof OverviewSchema>;
