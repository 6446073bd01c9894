/**
 * Alarms that users define, on the wire. An **alarm definition** says what to watch (scope, metric,
 * condition, duration, severity); each device it watches has its own **alarm** (one occurrence at a
 * time) with a lifecycle ACTIVE → ACKNOWLEDGED → CLEARED, and every change of an alarm is an
 * **alarm event**: the history, the in-app feed and the notification sent through Amazon SNS.
 *
 * The Data Service owns alarms (it evaluates them on ingest, where the readings are, and keeps their
 * state in its `fleet-alarms` table); the API Service relays these shapes after checking them, the
 * web app shows them, webhook receivers get `AlarmNotification`.
 */
import { Type, type Static } from 'typebox';
import { DeviceIdSchema } from './telemetry-contract.ts';
import { telemetryLimits } from './telemetry.ts';

export const alarmLimits = {
  /** Alarm definitions of the organisation. */
  maxDefinitions: 200,
  maxNameLength: 128,
  maxDescriptionLength: 1024,
  /** `forSeconds` durations: up to a week. */
  maxDurationSeconds: 7 * 24 * 3600,
  /** `M of the last N readings`: N at most this. */
  maxWindowReadings: 100,
  /** Silent device: no reading for 1 minute to 7 days. */
  maxSilentMinutes: 7 * 24 * 60,
  /** Alarms or events answered per page. */
  maxPage: 100,
  defaultPage: 50,
  /** Alarm events are kept this long (DynamoDB TTL), like ThingsBoard's default alarm history. */
  eventRetentionDays: 90,
} as const;

/** ThingsBoard's severities, most urgent first. */
export const alarmSeverities = ['critical', 'major', 'minor', 'warning', 'indeterminate'] as const;
export type AlarmSeverity = (typeof alarmSeverities)[number];

export const alarmStatuses = ['ACTIVE', 'ACKNOWLEDGED', 'CLEARED'] as const;
export type AlarmStatus = (typeof alarmStatuses)[number];

export const AlarmSeveritySchema = Type.Enum(alarmSeverities, { description: 'critical, major, minor, warning or indeterminate' });
export const AlarmStatusSchema = Type.Enum(alarmStatuses, { description: 'ACTIVE, ACKNOWLEDGED or CLEARED' });

const isoTime = (description: string) => Type.String({ format: 'date-time', maxLength: 40, description: `${description} (ISO 8601)` });
const MetricNameSchema = Type.String({ pattern: telemetryLimits.metricNamePattern.source, maxLength: 64, description: 'Metric name' });
const finite = (description: string) => Type.Number({ description });

export const AlarmDefinitionIdSchema = Type.String({
  pattern: '^[a-z0-9][a-z0-9-]{0,63}$',
  maxLength: 64,
  description: 'Alarm definition id (chosen by the service)',
});

export const GroupNameSchema = Type.String({
  pattern: '^[a-zA-Z0-9:_-]{1,128}$',
  maxLength: 128,
  description: 'AWS IoT thing group name',
});

/** Which devices a definition watches. */
export const AlarmScopeSchema = Type.Union(
  [
    Type.Object({ kind: Type.Literal('device'), deviceId: DeviceIdSchema }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('group'), groupName: GroupNameSchema }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('fleet') }, { additionalProperties: false }),
  ],
  { description: 'One device, the devices of a thing group, or every device' },
);
export type AlarmScope = Static<typeof AlarmScopeSchema>;

/** When a reading breaches, or (noData) when a device is silent. */
export const AlarmConditionSchema = Type.Union(
  [
    Type.Object(
      { kind: Type.Literal('above'), metric: MetricNameSchema, threshold: finite('Breaches when value > threshold') },
      { additionalProperties: false },
    ),
    Type.Object(
      { kind: Type.Literal('below'), metric: MetricNameSchema, threshold: finite('Breaches when value < threshold') },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        kind: Type.Literal('outside'),
        metric: MetricNameSchema,
        low: finite('Breaches when value < low'),
        high: finite('or value > high'),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        kind: Type.Literal('rateOfChange'),
        metric: MetricNameSchema,
        maxChangePerMinute: Type.Number({
          exclusiveMinimum: 0,
          description: 'Breaches when |Δvalue| / Δminutes between two consecutive readings exceeds this',
        }),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        kind: Type.Literal('noData'),
        silentMinutes: Type.Integer({
          minimum: 1,
          maximum: alarmLimits.maxSilentMinutes,
          description: 'Breaches when the device sent no reading for this long',
        }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'The condition a reading (or silence) must meet' },
);
export type AlarmCondition = Static<typeof AlarmConditionSchema>;

/** How long the condition must hold before the alarm becomes ACTIVE (ignored by noData). */
export const AlarmDurationSchema = Type.Union(
  [
    Type.Object({ kind: Type.Literal('immediate') }, { additionalProperties: false }),
    Type.Object(
      {
        kind: Type.Literal('forSeconds'),
        seconds: Type.Integer({
          minimum: 1,
          maximum: alarmLimits.maxDurationSeconds,
          description: 'Every reading breached for at least this long',
        }),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        kind: Type.Literal('readings'),
        breaching: Type.Integer({ minimum: 1, maximum: alarmLimits.maxWindowReadings, description: 'M breaching readings...' }),
        of: Type.Integer({ minimum: 1, maximum: alarmLimits.maxWindowReadings, description: '...among the last N readings' }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'How long the condition must hold' },
);
export type AlarmDuration = Static<typeof AlarmDurationSchema>;

/** `POST /api/alarm-definitions`, `PUT /api/alarm-definitions/:id`. */
export const AlarmDefinitionInputSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: alarmLimits.maxNameLength }),
    description: Type.Optional(Type.String({ maxLength: alarmLimits.maxDescriptionLength })),
    scope: AlarmScopeSchema,
    condition: AlarmConditionSchema,
    duration: Type.Optional(AlarmDurationSchema),
    severity: AlarmSeveritySchema,
    /** @default true */
    enabled: Type.Optional(Type.Boolean()),
    /** Clear by itself once the condition no longer holds. @default true */
    autoClear: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, title: 'AlarmDefinitionInput' },
);
export type AlarmDefinitionInput = Static<typeof AlarmDefinitionInputSchema>;

export const AlarmDefinitionSchema = Type.Object(
  {
    id: AlarmDefinitionIdSchema,
    name: Type.String({ maxLength: alarmLimits.maxNameLength }),
    description: Type.Optional(Type.String({ maxLength: alarmLimits.maxDescriptionLength })),
    scope: AlarmScopeSchema,
    condition: AlarmConditionSchema,
    duration: AlarmDurationSchema,
    severity: AlarmSeveritySchema,
    enabled: Type.Boolean(),
    autoClear: Type.Boolean(),
    createdBy: Type.String({ maxLength: 128 }),
    createdAt: isoTime('Created'),
    updatedAt: isoTime('Last changed'),
    /** Moves on every change; a PUT may send it as `expectedVersion`. */
    version: Type.Integer({ minimum: 1 }),
  },
  { title: 'AlarmDefinition' },
);
export type AlarmDefinition = Static<typeof AlarmDefinitionSchema>;

/** One device's alarm of one definition: its current (or last) occurrence. */
export const AlarmSchema = Type.Object(
  {
    definitionId: AlarmDefinitionIdSchema,
    deviceId: DeviceIdSchema,
    /** Counts the times this device's alarm became ACTIVE: `<definitionId>/<deviceId>/<occurrence>` names one. */
    occurrence: Type.Integer({ minimum: 1 }),
    name: Type.String({ maxLength: alarmLimits.maxNameLength }),
    severity: AlarmSeveritySchema,
    status: AlarmStatusSchema,
    /** Why it became ACTIVE, e.g. `temperature 82.5 > 80 for 60 s`. */
    reason: Type.String({ maxLength: 1024 }),
    /** The value that activated it (absent for noData). */
    value: Type.Optional(Type.Number()),
    activeAt: isoTime('Became ACTIVE'),
    acknowledgedAt: Type.Optional(isoTime('Acknowledged')),
    acknowledgedBy: Type.Optional(Type.String({ maxLength: 128, description: 'Username' })),
    clearedAt: Type.Optional(isoTime('Cleared')),
    /** `auto` when the condition stopped holding, else the username. */
    clearedBy: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { title: 'Alarm' },
);
export type Alarm = Static<typeof AlarmSchema>;

export const alarmEventTypes = alarmStatuses;
export type AlarmEventType = AlarmStatus;

/** One change of an alarm: its history, a feed entry, and the body of its notification. */
export const AlarmEventSchema = Type.Object(
  {
    /** `<definitionId>/<deviceId>/<occurrence>/<type>`: stable, so a receiver can drop a redelivered notification. */
    eventId: Type.String({ maxLength: 256 }),
    type: AlarmStatusSchema,
    at: isoTime('When'),
    /** Username, or `auto` (condition, silence). */
    by: Type.String({ maxLength: 128 }),
    alarm: AlarmSchema,
  },
  { title: 'AlarmEvent' },
);
export type AlarmEvent = Static<typeof AlarmEventSchema>;

/** What Fleet publishes to its alarm notifications SNS topic (the SNS `Message`, JSON). */
export const AlarmNotificationSchema = Type.Object(
  {
    kind: Type.Literal('fleet.alarm'),
    event: AlarmEventSchema,
  },
  { title: 'AlarmNotification' },
);
export type AlarmNotification = Static<typeof AlarmNotificationSchema>;

export const AlarmPageSchema = Type.Object({
  alarms: Type.Array(AlarmSchema, { maxItems: alarmLimits.maxPage }),
  nextToken: Type.Optional(Type.String({ maxLength: 1024 })),
});

/** The in-app feed: newest first, with the caller's unread count. */
export const AlarmFeedSchema = Type.Object({
  events: Type.Array(AlarmEventSchema, { maxItems: alarmLimits.maxPage }),
  /** Events newer than the caller last marked read (at most `maxPage`+; counted up to 1000). */
  unread: Type.Integer({ minimum: 0 }),
  nextToken: Type.Optional(Type.String({ maxLength: 1024 })),
});
export type AlarmFeed = Static<typeof AlarmFeedSchema>;

/** Subject line of an alarm notification (SNS `Subject`: ASCII, at most 100 characters). */
export function alarmNotificationSubject(event: AlarmEvent): string {
  const text = `[Fleet] ${event.alarm.severity.toUpperCase()} ${event.type}: ${event.alarm.name} on ${event.alarm.deviceId}`;
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
}

/**
 * The SNS message attributes of an alarm notification, which subscriptions filter on (a filter
 * policy on `severity`, `type`, `deviceId` or `definitionId`): the notifier sets exactly these.
 */
export function alarmNotificationAttributes(event: AlarmEvent): Record<'severity' | 'type' | 'deviceId' | 'definitionId', string> {
  return { severity: event.alarm.severity, type: event.type, deviceId: event.alarm.deviceId, definitionId: event.alarm.definitionId };
}

export const AlarmDefinitionListSchema = Type.Object({
  definitions: Type.Array(AlarmDefinitionSchema, { maxItems: alarmLimits.maxDefinitions }),
});

/** `PUT /api/alarm-definitions/:id`: the whole definition again, optionally with the version it was read at. */
export const AlarmDefinitionUpdateSchema = Type.Object(
  { ...AlarmDefinitionInputSchema.properties, expectedVersion: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false, title: 'AlarmDefinitionUpdate' },
);
export type AlarmDefinitionUpdate = Static<typeof AlarmDefinitionUpdateSchema>;

/** `POST …/acknowledge`, `POST …/clear`: names the occurrence the user saw, so a newer one is never acted on by mistake. */
export const AlarmActionSchema = Type.Object(
  {
    occurrence: Type.Integer({ minimum: 1 }),
    note: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);
export type AlarmAction = Static<typeof AlarmActionSchema>;

/** `POST /api/alarm-events/read`: everything up to `until` counts as read for the caller. */
export const AlarmFeedReadSchema = Type.Object({ until: isoTime('Newest event the caller has seen') }, { additionalProperties: false });

/** Filters and paging shared by `GET /alarms` and `GET /alarm-events` (the API relays the query string as is). */
const alarmQueryFilters = {
  deviceId: Type.Optional(DeviceIdSchema),
  definitionId: Type.Optional(AlarmDefinitionIdSchema),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: alarmLimits.maxPage, description: `Default ${alarmLimits.defaultPage}` })),
  nextToken: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
};
const statusAlternatives = alarmStatuses.join('|');

/** `GET /alarms?status=ACTIVE,ACKNOWLEDGED&deviceId=&definitionId=&limit=&nextToken=`. */
export const AlarmListQuerySchema = Type.Object(
  {
    status: Type.Optional(
      Type.String({
        pattern: `^(${statusAlternatives})(,(${statusAlternatives})){0,2}$`,
        maxLength: 40,
        description: 'Comma-separated statuses, e.g. ACTIVE,ACKNOWLEDGED',
      }),
    ),
    ...alarmQueryFilters,
  },
  { additionalProperties: false },
);

/** `GET /alarm-events?deviceId=&definitionId=&limit=&nextToken=`. */
export const AlarmEventsQuerySchema = Type.Object(alarmQueryFilters, { additionalProperties: false });

/**
 * The HTTP paths of alarms, the same under `/api` (the API Service, for users) and `/data` (the
 * Data Service, which owns them; the API relays with the caller's token).
 */
export const alarmPaths = {
  /** GET (list), POST (create: 201 with the definition). */
  definitions: '/alarm-definitions',
  /** GET, PUT, DELETE (204; the definition's open alarms are cleared by the caller, an event each). */
  definition: '/alarm-definitions/:id',
  /** GET `?status=ACTIVE,ACKNOWLEDGED&deviceId=&definitionId=&limit=&nextToken=`. */
  alarms: '/alarms',
  /** POST AlarmAction: the Alarm after the change; 409 AlarmStateConflict unless ACTIVE and the named occurrence. */
  acknowledge: '/alarms/:definitionId/:deviceId/acknowledge',
  /** POST AlarmAction: the Alarm after the change; 409 AlarmStateConflict when CLEARED or another occurrence. */
  clear: '/alarms/:definitionId/:deviceId/clear',
  /** GET `?deviceId=&definitionId=&limit=&nextToken=`: AlarmFeed, newest first. */
  events: '/alarm-events',
  /** POST AlarmFeedRead: 204; only moves the caller's marker forward. */
  eventsRead: '/alarm-events/read',
} as const;
