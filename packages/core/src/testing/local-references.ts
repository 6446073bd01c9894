/**
 * Resource references as the local launcher gives them (`LocalCloud.references`), for tests of
 * what `serviceEnvironment` writes and the services read.
 */
import type { ResourceReferences } from '../service-environment.ts';

export const localReferences: ResourceReferences = {
  region: 'us-east-1',
  devicesTable: 'fleet-devices',
  latestTable: 'fleet-latest',
  telemetryTable: 'fleet-telemetry',
  platformStateTable: 'fleet-platform-state',
  alarmsTable: 'fleet-alarms',
  rollupsTable: 'fleet-rollups',
  dataControlTable: 'fleet-data-control',
  metricSettingsTable: 'fleet-metric-settings',
  dashboardsTable: 'fleet-dashboards',
  bucket: 'fleet-telemetry',
  ingestQueueUrl: 'http://127.0.0.1:4566/000000000000/fleet-ingest',
  ingestDeadLetterQueueUrl: 'http://127.0.0.1:4566/000000000000/fleet-ingest-dlq',
  userPoolId: 'us-east-1_AbC123',
  userPoolClientId: 'client',
  identityPoolId: 'us-east-1:11111111-2222-3333-4444-555555555555',
  iotEndpoint: '127.0.0.1',
  iotWebSocketUrl: 'ws://127.0.0.1:8083/mqtt',
  iotDataPlaneUrl: 'http://127.0.0.1:4566',
  iotMqttPort: 8883,
  iotHttpsPort: 8443,
  iotCaUrl: 'http://127.0.0.1:4566/_fleet/ca.pem',
  devicePolicyName: 'fleet-device',
  browserPolicyName: 'fleet-browser-live',
  dataServiceUrl: 'http://127.0.0.1:3003',
  alarmTopicArn: 'arn:aws:sns:us-east-1:000000000000:fleet-alarm-notifications',
  userRulesRoleArn: 'arn:aws:iam::000000000000:role/fleet-user-rules',
  auditTable: 'fleet-audit',
  deviceImportsTable: 'fleet-device-imports',
};
