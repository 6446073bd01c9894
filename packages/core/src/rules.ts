/**
 * IoT topic rules, defined once. The CDK app turns each into an `AWS::IoT::TopicRule`
 * (resolving the logical targets below to ARNs) and the local rules engine runs the same SQL
 * with the same actions. Shapes follow the TopicRulePayload of the AWS IoT API.
 */
import { dataServiceMetrics, ingestQueue, monitoring, serviceMetricDimensions, telemetryBucket } from './resources.ts';
import { topics } from './topics.ts';

/** Where an action sends its output; logical ids are resolved by each runtime. */
export type RuleAction =
  | { readonly kind: 'sqs'; readonly queueId: string }
  | {
      readonly kind: 'cloudwatchMetric';
      readonly metricNamespace: string;
      readonly metricName: string;
      /** Substitution template, e.g. `${temperature}`; AWS evaluates it per message. */
      readonly metricValue: string;
      readonly metricUnit: string;
    }
  | {
      readonly kind: 'cloudwatchAlarm';
      readonly alarmName: string;
      readonly stateValue: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
      readonly stateReason: string;
    }
  | { readonly kind: 'cloudwatchLogs'; readonly logGroupName: string }
  | { readonly kind: 'republish'; readonly topic: string; readonly qos: 0 | 1 }
  | { readonly kind: 's3'; readonly bucketId: string; readonly key: string }
  | {
      /** POSTs the SELECT output; only to a confirmed (ENABLED) topic rule destination, as on AWS. */
      readonly kind: 'http';
      readonly url: string;
      /** Defaults to `url`; the destination that must be confirmed (a prefix of `url`). */
      readonly confirmationUrl?: string;
      /** Header values are substitution templates. */
      readonly headers?: readonly { readonly key: string; readonly value: string }[];
    }
  /** PutItem of the SELECT output (one attribute per top-level field) into a table, by logical id. */
  | { readonly kind: 'dynamoDBv2'; readonly tableId: string }
  /** Publishes the SELECT output to an SNS topic, by logical id; JSON wraps it for per-protocol messages. */
  | { readonly kind: 'sns'; readonly topicId: string; readonly messageFormat: 'RAW' | 'JSON' };

export interface RuleDefinition {
  /** Rule name: AWS allows [a-zA-Z0-9_]+. */
  readonly name: string;
  readonly description: string;
  readonly sql: string;
  readonly awsIotSqlVersion: '2016-03-23';
  readonly actions: readonly RuleAction[];
  /** Runs when any action fails; AWS IoT allows one. */
  readonly errorAction: RuleAction;
}

/** Failed actions land in the bucket's dead-letter prefix, keyed so that they can be replayed in order. */
const deadLetterAction = (ruleName: string): RuleAction => ({
  kind: 's3',
  bucketId: telemetryBucket.id,
  key: `${telemetryBucket.prefixes.deadLetters}rules/${ruleName}/\${parse_time("yyyy/MM/dd/HH", timestamp())}/\${newuuid()}.json`,
});

/**
 * Every telemetry message goes to the ingest queue untouched (base64), so that the Data Service
 * validates it in one place and a malformed payload reaches a dead letter with its reason instead
 * of vanishing in SQL evaluation.
 */
export const telemetryIngestRule: RuleDefinition = {
  name: 'fleet_telemetry_ingest',
  description: 'Device telemetry → ingest queue → Data Service',
  sql:
    `SELECT 'telemetry' AS kind, encode(*, 'base64') AS payload, topic(3) AS deviceId, clientid() AS clientId, ` +
    `timestamp() AS receivedAt, newuuid() AS messageId FROM '${topics.telemetryFilter}'`,
  awsIotSqlVersion: '2016-03-23',
  actions: [{ kind: 'sqs', queueId: ingestQueue.id }],
  errorAction: deadLetterAction('fleet_telemetry_ingest'),
};

/** Connect / disconnect events keep the registry's online status. */
export const presenceRule: RuleDefinition = {
  name: 'fleet_presence',
  description: 'Lifecycle events → ingest queue (online status)',
  sql: `SELECT 'presence' AS kind, eventType, clientId, timestamp, versionNumber, disconnectReason FROM '${topics.presenceFilter}'`,
  awsIotSqlVersion: '2016-03-23',
  actions: [{ kind: 'sqs', queueId: ingestQueue.id }],
  errorAction: deadLetterAction('fleet_presence'),
};

/**
 * Conditions worth watching go to CloudWatch. Only matching messages reach CloudWatch, and the
 * metric carries no device dimension: per-message, per-device metrics are the costly mistake.
 */
export const highTemperatureRule: RuleDefinition = {
  name: 'fleet_alert_high_temperature',
  description: 'temperature > 80 → CloudWatch metric and alert log',
  sql: `SELECT topic(3) AS deviceId, temperature, timestamp() AS at FROM '${topics.telemetryFilter}' WHERE temperature > 80`,
  awsIotSqlVersion: '2016-03-23',
  actions: [
    {
      kind: 'cloudwatchMetric',
      metricNamespace: monitoring.namespace,
      metricName: 'HighTemperatureReadings',
      metricValue: '1',
      metricUnit: 'Count',
    },
    { kind: 'cloudwatchLogs', logGroupName: monitoring.alertsLogGroup },
  ],
  errorAction: deadLetterAction('fleet_alert_high_temperature'),
};

export const lowBatteryRule: RuleDefinition = {
  name: 'fleet_alert_low_battery',
  description: 'battery < 10 → CloudWatch metric and alert log',
  sql: `SELECT topic(3) AS deviceId, battery, timestamp() AS at FROM '${topics.telemetryFilter}' WHERE battery < 10`,
  awsIotSqlVersion: '2016-03-23',
  actions: [
    {
      kind: 'cloudwatchMetric',
      metricNamespace: monitoring.namespace,
      metricName: 'LowBatteryReadings',
      metricValue: '1',
      metricUnit: 'Count',
    },
    { kind: 'cloudwatchLogs', logGroupName: monitoring.alertsLogGroup },
  ],
  errorAction: deadLetterAction('fleet_alert_low_battery'),
};

export const rules: readonly RuleDefinition[] = [telemetryIngestRule, presenceRule, highTemperatureRule, lowBatteryRule];

/** CloudWatch alarms over the rule metrics and service metrics, defined once for both runtimes. */
export interface PlatformAlarmDefinition {
  readonly name: string;
  readonly namespace: string;
  readonly metricName: string;
  /** The metric's dimensions, exactly as it is written (none for the rules' own metrics). */
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly statistic: 'Sum' | 'Average' | 'Maximum' | 'Minimum' | 'SampleCount';
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly threshold: number;
  readonly comparison: 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';
}

export const alarms: readonly PlatformAlarmDefinition[] = [
  {
    name: 'fleet-high-temperature',
    namespace: monitoring.namespace,
    metricName: 'HighTemperatureReadings',
    statistic: 'Sum',
    periodSeconds: 60,
    evaluationPeriods: 1,
    threshold: 1,
    comparison: 'GreaterThanOrEqualToThreshold',
  },
  {
    name: 'fleet-ingest-rejects',
    namespace: monitoring.namespace,
    metricName: dataServiceMetrics.readingsRejected,
    dimensions: serviceMetricDimensions('data'),
    statistic: 'Sum',
    periodSeconds: 300,
    evaluationPeriods: 1,
    threshold: 10,
    comparison: 'GreaterThanOrEqualToThreshold',
  },
];
