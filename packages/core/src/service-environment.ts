/**
 * The environment variables of each service, built from physical resource references. The CDK app
 * passes CloudFormation tokens, the local launcher passes localhost values: the same function
 * decides which variable each service sees, so the two runtimes cannot drift apart.
 *
 * AWS endpoints are not part of this: the SDK reads `AWS_ENDPOINT_URL` itself, which only the local
 * launcher sets (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html); the
 * schemas list it among the optional variables.
 */
import { dataServiceTuningEnvironment, serviceConfigSchemas, type DataServiceTuning } from './config/service-configs.ts';
import type { ServiceName } from './services.ts';
import { serviceByName } from './services.ts';

/** Physical names and addresses, as each runtime knows them. */
export interface ResourceReferences {
  readonly region: string;
  /** The device registry; the API Service's alone. */
  readonly devicesTable: string;
  /** The device state (latest values, presence); the Data Service's alone. */
  readonly latestTable: string;
  readonly telemetryTable: string;
  /** Table of platform-wide facts (the first admin's claim); the API Service's alone. */
  readonly platformStateTable: string;
  /** User-defined alarms (definitions, states, events, outbox); the Data Service's alone. */
  readonly alarmsTable: string;
  /** Rollups of the time series (1-minute, 1-hour, 1-day); the Data Service's alone. */
  readonly rollupsTable: string;
  /** Retention settings and data jobs; the Data Service's alone. */
  readonly dataControlTable: string;
  /** Metric display settings (label, unit, decimals); the API Service's alone. */
  readonly metricSettingsTable: string;
  /** Users' dashboards; the API Service's alone. */
  readonly dashboardsTable: string;
  readonly bucket: string;
  readonly ingestQueueUrl: string;
  /** The ingest queue's dead-letter queue (replayed by the Data Service). */
  readonly ingestDeadLetterQueueUrl: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly identityPoolId: string;
  /** Host name of the IoT data endpoint (devices: MQTT/TLS :8883, browsers: WSS /mqtt). */
  readonly iotEndpoint: string;
  /** Full WebSocket URL base for browsers, e.g. `wss://xxx-ats.iot.eu-west-1.amazonaws.com/mqtt`. */
  readonly iotWebSocketUrl: string;
  /**
   * URL of the IoT data plane's HTTPS API (shadows, Publish) as the SDK must call it: on AWS the
   * account's own iot:Data-ATS endpoint, since that API has no regional endpoint; locally the AWS port.
   */
  readonly iotDataPlaneUrl: string;
  /** MQTT over TLS port of the IoT data endpoint (8883 on AWS IoT). */
  readonly iotMqttPort: number;
  /** HTTPS publish port of the IoT data endpoint, device certificates (8443 on AWS IoT). */
  readonly iotHttpsPort: number;
  /** Where a device downloads the CA that signs the IoT endpoint's server certificate (Amazon Root CA 1 on AWS). */
  readonly iotCaUrl: string;
  /** Name of the IoT policy attached to device certificates. */
  readonly devicePolicyName: string;
  /** Name of the IoT policy attached to signed-in browsers' Cognito identities. */
  readonly browserPolicyName: string;
  /** Base URL of the Data Service as the API Service reaches it (load balancer 3). */
  readonly dataServiceUrl: string;
  /** ARN of the alarm notifications SNS topic (`alarmNotificationsTopic`): the Data Service publishes every alarm event to it, channels subscribe. */
  readonly alarmTopicArn: string;
  /** ARN of the role AWS IoT assumes for users' rule actions (`userRulesRole`). */
  readonly userRulesRoleArn: string;
  /** The audit trail and the revoked devices' records; the API Service's alone. */
  readonly auditTable: string;
  /** Device imports (bulk registration) and their row results; the API Service's alone. */
  readonly deviceImportsTable: string;
}

export type ServiceEnvironment = Readonly<Record<string, string>>;

/**
 * The variables the platform sets for `service`: exactly the `written` rows of its configuration
 * schema (`config/service-configs.ts`), so a variable is set if and only if the service reads it;
 * for the Data Service, also what the deployment tuned (`npm start -- --ingest-flush-spacing`, the
 * CDK context `ingestFlushSpacingMs`).
 */
export function serviceEnvironment(service: ServiceName, refs: ResourceReferences, tuning: DataServiceTuning = {}): ServiceEnvironment {
  const definition = serviceByName(service);
  return {
    ...Object.fromEntries(
      Object.values(serviceConfigSchemas[service]).flatMap((variable) =>
        variable.kind === 'written' ? [[variable.name, variable.write(refs, definition)]] : [],
      ),
    ),
    ...(service === 'data' ? dataServiceTuningEnvironment(tuning) : {}),
  };
}
