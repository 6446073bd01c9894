/**
 * The configuration schema of each ECS service: every variable it reads, typed, bounded and
 * documented. `serviceEnvironment()` writes the `written` rows (the ECS task definition on AWS, the
 * child process locally); each service's `main.ts` reads its schema with `loadConfig`. A variable
 * is added here or nowhere.
 */
import type { ServiceName } from '../services.ts';
import {
  awsCallerVariables,
  devicesTableVariable,
  everyServiceVariables,
  identityPoolIdVariable,
  iotDataPlaneUrlVariable,
  latestTableVariable,
} from './common-variables.ts';
import { defaulted, integer, matching, optional, text, url, written, type ValueType } from './config-variables.ts';
import type { ConfigOf, ConfigSchema } from './load-config.ts';

const httpUrl = url(['http', 'https']);

/** ECS service 1: serves the web app and its `/config.json`. It calls no AWS API itself. */
export const frontendConfigSchema = {
  ...everyServiceVariables,
  identityPoolId: identityPoolIdVariable,
  iotWebSocketUrl: written(
    'IOT_WEBSOCKET_URL',
    url(['ws', 'wss']),
    (refs) => refs.iotWebSocketUrl,
    "IoT Core's MQTT over WebSocket URL, where the browser receives live telemetry.",
  ),
  webRoot: optional(
    'WEB_ROOT',
    text,
    "Folder of the built web app; the image sets /app/dist/web. @default the service's dist/web, where npm start builds it.",
  ),
} as const satisfies ConfigSchema;

/** A value the platform no longer accepts otherwise: a task still setting more fails loudly. */
const retiredDefaultRole: ValueType<'viewer'> = {
  expected: '"viewer": DEFAULT_ROLE is retired, a user in no group is a viewer and admins grant roles (PUT /api/users/<username>/role)',
  parse: (s) => (s === 'viewer' ? s : undefined),
};

/** ECS service 2: the public REST API. */
export const apiConfigSchema = {
  ...everyServiceVariables,
  ...awsCallerVariables,
  devicesTable: devicesTableVariable,
  platformStateTable: written(
    'PLATFORM_STATE_TABLE',
    text,
    (refs) => refs.platformStateTable,
    "DynamoDB table of platform-wide facts (who became the first admin); the API Service's alone.",
  ),
  identityPoolId: identityPoolIdVariable,
  iotEndpoint: written(
    'IOT_ENDPOINT',
    text,
    (refs) => refs.iotEndpoint,
    "Host name of the account's IoT data endpoint (iot:Data-ATS), told to devices with their certificate.",
  ),
  iotDataPlaneUrl: iotDataPlaneUrlVariable,
  iotMqttPort: written(
    'IOT_MQTT_PORT',
    integer(1, 65_535),
    (refs) => String(refs.iotMqttPort),
    'MQTT over TLS port of the IoT data endpoint (8883 on AWS IoT), told to devices.',
  ),
  iotHttpsPort: written(
    'IOT_HTTPS_PORT',
    integer(1, 65_535),
    (refs) => String(refs.iotHttpsPort),
    'HTTPS publish port of the IoT data endpoint (8443 on AWS IoT), told to devices.',
  ),
  iotCaUrl: written(
    'IOT_CA_URL',
    httpUrl,
    (refs) => refs.iotCaUrl,
    "Where a device downloads the CA of the IoT endpoint's server certificate (Amazon Root CA 1 on AWS).",
  ),
  devicePolicyName: written(
    'DEVICE_POLICY_NAME',
    text,
    (refs) => refs.devicePolicyName,
    'IoT policy attached to the certificate of every registered device.',
  ),
  browserPolicyName: written(
    'BROWSER_POLICY_NAME',
    text,
    (refs) => refs.browserPolicyName,
    'The shared browser IoT policy of earlier releases (Connect only), detached from an identity at live access: each user has their own (browserPolicyNameFor).',
  ),
  dataServiceUrl: written(
    'DATA_SERVICE_URL',
    url(['http', 'https'], { trimTrailingSlash: true }),
    (refs) => refs.dataServiceUrl,
    'Base URL of the Data Service as the API Service reaches it (load balancer 3).',
  ),
  alarmTopicArn: written(
    'ALARM_TOPIC_ARN',
    matching(/^arn:[a-z-]+:sns:/, 'arn:aws:sns:us-east-1:000000000000:fleet-alarm-notifications'),
    (refs) => refs.alarmTopicArn,
    "The alarm notifications SNS topic: notification channels are its subscriptions, users' notify actions publish to it.",
  ),
  userRulesRoleArn: written(
    'USER_RULES_ROLE_ARN',
    matching(/^arn:[a-z-]+:iam::/, 'arn:aws:iam::000000000000:role/fleet-user-rules'),
    (refs) => refs.userRulesRoleArn,
    "The role AWS IoT assumes for the actions of users' topic rules (iam-policies.ts userRulesRole).",
  ),
  localMailboxUrl: optional(
    'LOCAL_MAILBOX_URL',
    httpUrl,
    "The local cloud's mailbox of e-mail notifications (GET /_fleet/mailbox); set by the local launcher only: on AWS mail goes to real inboxes.",
  ),
  metricSettingsTable: written(
    'METRIC_SETTINGS_TABLE',
    text,
    (refs) => refs.metricSettingsTable,
    "DynamoDB table of the metric display settings (label, unit, decimals per metric); the API Service's alone.",
  ),
  defaultRole: defaulted(
    'DEFAULT_ROLE',
    retiredDefaultRole,
    'viewer',
    'Retired: accepted only as "viewer", the role of a user in no group.',
  ),
  dashboardsTable: written(
    'DASHBOARDS_TABLE',
    text,
    (refs) => refs.dashboardsTable,
    "DynamoDB table of users' dashboards; the API Service's alone.",
  ),
  deviceImportsTable: written(
    'DEVICE_IMPORTS_TABLE',
    text,
    (refs) => refs.deviceImportsTable,
    "DynamoDB table of device imports (bulk registration) and their row results; the API Service's alone.",
  ),
  auditTable: written(
    'AUDIT_TABLE',
    text,
    (refs) => refs.auditTable,
    "DynamoDB table of the audit trail (every mutating API call) and the revoked devices' records; the API Service's alone.",
  ),
} as const satisfies ConfigSchema;

/** ECS service 3: the ingest consumer, time-series store, archive and queries. */
export const dataServiceConfigSchema = {
  ...everyServiceVariables,
  ...awsCallerVariables,
  latestTable: latestTableVariable,
  iotDataPlaneUrl: iotDataPlaneUrlVariable,
  telemetryTable: written('TELEMETRY_TABLE', text, (refs) => refs.telemetryTable, 'DynamoDB table of the time-bucketed readings.'),
  bucket: written('BUCKET_NAME', text, (refs) => refs.bucket, 'S3 bucket of the raw archive, exports and dead letters.'),
  ingestQueueUrl: written('INGEST_QUEUE_URL', httpUrl, (refs) => refs.ingestQueueUrl, 'SQS queue the ingest rule feeds.'),
  ingestDeadLetterQueueUrl: written(
    'INGEST_DLQ_URL',
    httpUrl,
    (refs) => refs.ingestDeadLetterQueueUrl,
    "The ingest queue's dead-letter queue: its depth is reported, its messages are replayed.",
  ),
  alarmsTable: written(
    'ALARMS_TABLE',
    text,
    (refs) => refs.alarmsTable,
    "DynamoDB table of user-defined alarms (definitions, each device's alarm state, events, outbox); the Data Service's alone.",
  ),
  rollupsTable: written('ROLLUPS_TABLE', text, (refs) => refs.rollupsTable, 'DynamoDB table of the 1-minute, 1-hour and 1-day rollups.'),
  dataControlTable: written(
    'DATA_CONTROL_TABLE',
    text,
    (refs) => refs.dataControlTable,
    'DynamoDB table of the retention settings and the data jobs (exports, imports, archive replays).',
  ),
  alarmTopicArn: written(
    'ALARM_TOPIC_ARN',
    matching(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'arn:aws:sns:us-east-1:123456789012:fleet-alarm-notifications'),
    (refs) => refs.alarmTopicArn,
    'SNS topic every alarm event is published to (AlarmNotification JSON); webhooks and e-mail subscribe to it.',
  ),
  alarmIntervalMs: defaulted(
    'ALARM_SWEEP_MS',
    integer(1000, 300_000),
    15_000,
    'Tuning: how often the silent-device sweep and the alarm outbox drain run.',
  ),
  receivers: defaulted('INGEST_RECEIVERS', integer(1, 32), 4, 'Tuning: ReceiveMessage calls in flight.'),
  flushSpacingMs: defaulted(
    'INGEST_FLUSH_SPACING_MS',
    integer(0, 5000),
    250,
    "Tuning: fresh data or write units. While the ingest queue is busy, each flush of readings to DynamoDB starts this long after the last, so that a device's readings share its window and latest-values writes (each billed at least a write unit); shorter stores readings sooner and costs more units per reading. Behind a backlog flushes are at least 250 ms apart whatever this says.",
  ),
  metricsFlushMs: defaulted(
    'METRICS_FLUSH_MS',
    integer(1000, 300_000),
    10_000,
    'Tuning: how often Embedded Metric Format lines are written.',
  ),
} as const satisfies ConfigSchema;

/**
 * What a deployment chooses for the Data Service besides the platform's resources: `npm start`'s
 * `--ingest-flush-spacing` locally, the CDK context `ingestFlushSpacingMs` on AWS. Both read it
 * with `readFlushSpacing` and hand it to `serviceEnvironment`, which writes it into the task's environment.
 */
export interface DataServiceTuning {
  /** `INGEST_FLUSH_SPACING_MS`; unset leaves the schema's default. */
  readonly flushSpacingMs?: number;
}

/** The Data Service task's variables for `tuning` (none for what is left at its default). */
export function dataServiceTuningEnvironment(tuning: DataServiceTuning): Readonly<Record<string, string>> {
  const { flushSpacingMs } = tuning;
  return flushSpacingMs === undefined ? {} : { [dataServiceConfigSchema.flushSpacingMs.name]: String(flushSpacingMs) };
}

/**
 * Reads a flush spacing given as `source` (a flag, a context key) by the Data Service's own rule:
 * the value, nothing when `raw` is unset or empty, or the problem to report.
 */
export function readFlushSpacing(source: string, raw: string | undefined): { readonly value?: number; readonly problem?: string } {
  if (raw === undefined || raw.trim() === '') return {};
  const { type } = dataServiceConfigSchema.flushSpacingMs;
  const value = type.parse(raw.trim());
  return value === undefined ? { problem: `${source} must be ${type.expected} (milliseconds), received "${raw}"` } : { value };
}

export type FrontendConfig = ConfigOf<typeof frontendConfigSchema>;
export type ApiServiceConfig = ConfigOf<typeof apiConfigSchema>;
export type DataServiceConfig = ConfigOf<typeof dataServiceConfigSchema>;

/** Each service's schema, by name: what `serviceEnvironment` writes and the service reads. */
export const serviceConfigSchemas: { readonly [S in ServiceName]: ConfigSchema } = {
  frontend: frontendConfigSchema,
  api: apiConfigSchema,
  data: dataServiceConfigSchema,
};
