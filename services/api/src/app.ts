/**
 * The API Service as an application: every dependency (AWS clients, token verifier, Data
 * Service client, configuration, logger) comes in through `AppDeps`, so tests build it in
 * process and exercise it with `app.inject` while `main.ts` builds it with real clients.
 */
import swagger from '@fastify/swagger';
import { AddThingToThingGroupCommand } from '@aws-sdk/client-iot';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { bodyLimits, createHealthProbe, monitoring, type ApiServiceConfig } from '@fleet/core';
import { createMetrics, type Metrics } from '@fleet/core/process';
import { serviceServerOptions } from '@fleet/core/http';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createAuthorizer } from './auth/authorize.ts';
import { createFirstAdmin } from './auth/first-admin.ts';
import { createDeviceScope } from './auth/device-scope.ts';
import type { TokenVerifier } from '@fleet/core/tokens';
import { thingGroupExists, type ApiClients } from './aws-clients.ts';
import { createDeviceRegistry } from './devices/device-registry.ts';
import { createDeviceViews } from './devices/device-views.ts';
import { createDeviceCertificates } from './devices/device-certificates.ts';
import { createDeviceIndex } from './devices/device-index.ts';
import { createDeviceRevocation } from './devices/device-revocation.ts';
import { createBulkActions } from './devices/bulk-actions.ts';
import { createIotProvisioning } from './devices/iot-provisioning.ts';
import { installErrorHandlers } from './errors.ts';
import { installStrictInputs } from './http/strict-inputs.ts';
import { validationMessage } from './http/validation-message.ts';
import type { TypedApp } from './http/typed-app.ts';
import { createCommandJobs } from './control/command-jobs.ts';
import { createDeviceConfigStore } from './control/device-config.ts';
import { registerDeviceCertificateRoutes } from './routes/device-certificates.ts';
import { registerDeviceControlRoutes } from './routes/device-control.ts';
import { registerDeviceRoutes } from './routes/devices.ts';
import { registerDeviceBulkRoutes } from './routes/device-bulk.ts';
import { registerDeviceAttributeRoutes } from './routes/device-attributes.ts';
import { apiDependencies, registerHealthRoutes } from './routes/health.ts';
import { registerMeRoutes } from './routes/me.ts';
import { registerTelemetryRoutes } from './routes/telemetry.ts';
import { registerDeadLetterRoutes } from './routes/dead-letters.ts';
import { registerAlarmRoutes } from './routes/alarms.ts';
import { registerDataLifeRoutes } from './routes/data-life.ts';
import { registerUserRoutes } from './routes/users.ts';
import { registerUserDeviceAccessRoutes } from './routes/user-device-access.ts';
import { registerThingGroupRoutes } from './routes/thing-groups.ts';
import { registerRuleRoutes } from './routes/rules.ts';
import { registerNotificationChannelRoutes } from './routes/notification-channels.ts';
import { createTopicRules } from './rules/topic-rules.ts';
import { createSnsChannels } from './notifications/sns-channels.ts';
import { createLocalMailbox } from './notifications/local-mailbox.ts';
import { createDataServiceClient, type DataServiceClient } from './telemetry/data-service-client.ts';
import { createMetricSettingsStore } from './metric-settings/metric-settings-store.ts';
import { registerMetricSettingRoutes } from './routes/metric-settings.ts';
import { createDashboardStore } from './dashboards/dashboard-store.ts';
import { registerDashboardRoutes } from './routes/dashboards.ts';
import { registerDeviceStatusCountRoutes } from './routes/device-status-counts.ts';
import { registerOverviewRoutes } from './routes/overview.ts';
import { createOverview } from './overview/overview-answer.ts';
import { createActorEmails } from './audit/actor-emails.ts';
import { createAuditStore } from './audit/audit-store.ts';
import { createAuditTrail, type AuditTrail } from './audit/audit-trail.ts';
import { createRevokedDevices } from './audit/revoked-devices.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerProvisioningRoutes } from './routes/provisioning.ts';
import { accountOfArn, createBrowserPolicies } from './live/browser-policies.ts';
import { createUserLivePolicy } from './users/user-live-policy.ts';
import { registerDeviceImportRoutes } from './routes/device-imports.ts';
import { createImportStore } from './device-imports/import-store.ts';
import { createImportRunner } from './device-imports/import-runner.ts';
import { createImportCredentials } from './device-imports/import-credentials.ts';
import { rootCaFetcher } from './device-imports/root-ca.ts';

/** What the app needs of the service's configuration: not where it listens, how it logs, or what only the SDK reads. */
export type AppConfig = Omit<
  ApiServiceConfig,
  'port' | 'host' | 'logLevel' | 'requestChecksumCalculation' | 'iotDataPlaneUrl' | 'defaultRole'
>;

export interface AppDeps {
  readonly config: AppConfig;
  readonly clients: ApiClients;
  readonly verifier: TokenVerifier;
  readonly logger: Logger;
  /** @default a client of `config.dataServiceUrl` */
  readonly dataService?: DataServiceClient;
  /** Serve the Swagger UI at /api/docs. @default true */
  readonly docsUi?: boolean;
  /** How long one round of readiness probes is reused. @default 5000 */
  readonly healthCacheMs?: number;
  /** The service's EMF metrics. @default lines on stdout, namespace Fleet, `Service=api` */
  readonly metrics?: Metrics;
  /** Where every mutating call is written down. @default entries in `config.auditTable` */
  readonly auditTrail?: AuditTrail;
}

/** Builds the app with every route registered; call `ready()` (or `inject`/`listen`) next. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, clients, logger } = deps;
  const app: TypedApp = Fastify({
    loggerInstance: logger,
    // Behind CloudFront, API Gateway and an ALB: trust the forwarded client address.
    trustProxy: true,
    // Fleet's HTTP server and error answers; every route's JSON body is small (commands allow more).
    ...serviceServerOptions({ bodyLimit: bodyLimits.api }),
    // Path parameters are bounded by their schemas (usernames: 128), which then answer 400, not a 404.
    routerOptions: { maxParamLength: 512 },
    schemaErrorFormatter: (errors, dataVar) => new Error(validationMessage(errors, dataVar)),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as TypedApp;

  installErrorHandlers(app);
  installStrictInputs(app);
  // Before every route, so that no route (nor the not-found answer) escapes the audit trail.
  const auditStore = createAuditStore({ dynamo: clients.dynamo, tableName: config.auditTable });
  const metrics = deps.metrics ?? createMetrics({ namespace: monitoring.namespace, service: 'api' });
  // What was counted since the last flush is written when the app stops (SIGTERM), not lost.
  if (!deps.metrics) app.addHook('onClose', async () => metrics.stop());
  (deps.auditTrail ?? createAuditTrail({ store: auditStore, metrics, logger })).install(app);
  const revokedDevices = createRevokedDevices({ dynamo: clients.dynamo, tableName: config.auditTable });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Fleet API',
        version: '1.0.0',
        description:
          'Devices, telemetry and users of the Fleet IoT platform. Authenticate with a Cognito access token. ' +
          `Request bodies are JSON (UTF-8, no unknown fields, no type coercion) of at most ${bodyLimits.api / 1024} KiB ` +
          `(${bodyLimits.apiCommand / 1024} KiB for device commands); larger ones answer 413. Every error answers ` +
          '`{ code, message }` with a code of one closed set.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      tags: [
        { name: 'devices', description: 'Registration, listing and revocation' },
        { name: 'control', description: "Devices' configuration (desired vs reported) and commands (durable, with their state)" },
        { name: 'telemetry', description: 'Readings, from the Data Service' },
        { name: 'alarms', description: "User-defined alarms, their devices' alarms and events (evaluated by the Data Service)" },
        { name: 'data', description: "The data's life: retention, volumes and their cost, exports, imports and archive replays" },
        { name: 'me', description: 'The signed-in user' },
        { name: 'users', description: 'User administration (admin)' },
        { name: 'rules', description: "Topic rules: the platform's (read-only) and users' own, and a SQL test bench" },
        { name: 'notifications', description: 'Channels (SNS subscriptions) that receive alarm notifications' },
        { name: 'audit', description: 'Who did what: every mutating API call, kept in DynamoDB (admin)' },
        { name: 'health', description: 'Health check' },
        { name: 'metric settings', description: 'How the web app shows each metric: label, unit, decimals' },
        { name: 'dashboards', description: "Users' dashboards: their own, and the organisation's shared ones (read-only)" },
        { name: 'overview', description: 'The fleet as a whole, for the landing page' },
      ],
    },
  });
  if (deps.docsUi ?? true) {
    await app.register(swaggerUi, { routePrefix: '/api/docs' });
  }
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const authorizer = createAuthorizer({ verifier: deps.verifier });
  registerHealthRoutes(app, {
    health: createHealthProbe({
      service: 'api',
      // Every table the API Service itself reads and writes.
      dependencies: apiDependencies(clients, [
        config.devicesTable,
        config.platformStateTable,
        config.dashboardsTable,
        config.metricSettingsTable,
        config.auditTable,
      ]),
      ...(deps.healthCacheMs === undefined ? {} : { cacheMs: deps.healthCacheMs }),
    }),
  });
  const dataService = deps.dataService ?? createDataServiceClient({ baseUrl: config.dataServiceUrl, logger });
  // Every registry write goes through the index, so this task's list shows it at once.
  const deviceIndex = createDeviceIndex({
    registry: createDeviceRegistry({ dynamo: clients.dynamo, devicesTable: config.devicesTable }),
    dataService,
    iot: clients.iot,
    logger,
  });
  const registry = deviceIndex.registry;
  // Every route that touches devices judges a scoped caller's reach here (access by group).
  const scope = createDeviceScope({ registry, index: deviceIndex });
  const deviceConfig = createDeviceConfigStore(clients.iotData);
  const provisioning = createIotProvisioning({ iot: clients.iot, devicePolicyName: config.devicePolicyName, logger });
  const revoke = createDeviceRevocation({ registry, config: deviceConfig, provisioning, revoked: revokedDevices, logger });
  const views = createDeviceViews({ dataService, index: deviceIndex });
  registerDeviceRoutes(app, {
    authorizer,
    registry,
    views,
    provisioning,
    // The deployment resolved the account's iot:Data-ATS endpoint once (DescribeEndpoint at deploy
    // time; the launcher locally): the task role needs no iot:DescribeEndpoint at run time.
    iotEndpoint: () => Promise.resolve(config.iotEndpoint),
    revoke,
    scope,
    groupExists: (group) => thingGroupExists(clients.iot, group),
    addToGroup: async (group, deviceId) => {
      await clients.iot.send(new AddThingToThingGroupCommand({ thingGroupName: group, thingName: deviceId }));
      deviceIndex.addedToGroup(group, deviceId);
    },
    caUrl: config.iotCaUrl,
    mqttPort: config.iotMqttPort,
    httpsPort: config.iotHttpsPort,
  });
  registerDeviceCertificateRoutes(app, {
    authorizer,
    certificates: createDeviceCertificates({ iot: clients.iot, registry, provisioning, logger }),
    scope,
    iotEndpoint: () => Promise.resolve(config.iotEndpoint),
    caUrl: config.iotCaUrl,
    mqttPort: config.iotMqttPort,
    httpsPort: config.iotHttpsPort,
  });
  registerDeviceAttributeRoutes(app, { authorizer, iot: clients.iot, scope, attributesChanged: deviceIndex.attributesChanged });
  const commands = createCommandJobs(clients.iot);
  registerDeviceControlRoutes(app, { authorizer, scope, config: deviceConfig, commands });
  registerDeviceBulkRoutes(app, {
    authorizer,
    views,
    scope,
    bulk: createBulkActions({ registry, revoke, commands, iot: clients.iot, addedToGroup: deviceIndex.addedToGroup, logger }),
  });
  const importStore = createImportStore({ dynamo: clients.dynamo, tableName: config.deviceImportsTable });
  const importCredentials = createImportCredentials();
  registerDeviceImportRoutes(app, {
    authorizer,
    store: importStore,
    credentials: importCredentials,
    runner: createImportRunner({
      registry,
      provisioning,
      iot: clients.iot,
      store: importStore,
      credentials: importCredentials,
      addedToGroup: deviceIndex.addedToGroup,
      logger,
    }),
    rootCaPem: rootCaFetcher(config.iotCaUrl),
  });
  registerThingGroupRoutes(app, { authorizer, iot: clients.iot });
  registerTelemetryRoutes(app, { authorizer, scope, dataService });
  registerDeadLetterRoutes(app, { authorizer, dataService });
  registerAlarmRoutes(app, { authorizer, scope, groupArn: (group) => commands.groupArn(group), dataService });
  registerDataLifeRoutes(app, { authorizer, scope, groupArn: (group) => commands.groupArn(group), dataService });
  // Users' own browser IoT policies: live access, and (users route) a changed grant.
  const browserPolicies = createBrowserPolicies({
    iot: clients.iot,
    region: config.region,
    account: accountOfArn(config.userRulesRoleArn),
    sharedPolicyName: config.browserPolicyName,
  });
  registerMeRoutes(app, {
    authorizer,
    verifier: deps.verifier,
    firstAdmin: createFirstAdmin({
      dynamo: clients.dynamo,
      cognito: clients.cognito,
      userPoolId: config.userPoolId,
      tableName: config.platformStateTable,
      logger,
    }),
    cognito: clients.cognito,
    cognitoIdentity: clients.cognitoIdentity,
    region: config.region,
    userPoolId: config.userPoolId,
    identityPoolId: config.identityPoolId,
    browserPolicies,
  });
  const livePolicy = createUserLivePolicy({ cognito: clients.cognito, userPoolId: config.userPoolId, browserPolicies });
  registerUserRoutes(app, { authorizer, cognito: clients.cognito, userPoolId: config.userPoolId, livePolicy });
  registerUserDeviceAccessRoutes(app, {
    authorizer,
    cognito: clients.cognito,
    iot: clients.iot,
    userPoolId: config.userPoolId,
    region: config.region,
    livePolicy,
  });
  registerRuleRoutes(app, {
    authorizer,
    topicRules: createTopicRules({ iot: clients.iot, roleArn: config.userRulesRoleArn, alarmTopicArn: config.alarmTopicArn }),
  });
  registerNotificationChannelRoutes(app, {
    authorizer,
    channels: createSnsChannels({ sns: clients.sns, topicArn: config.alarmTopicArn, logger }),
    mailbox: createLocalMailbox({ url: config.localMailboxUrl }),
  });
  registerMetricSettingRoutes(app, {
    authorizer,
    store: createMetricSettingsStore({ dynamo: clients.dynamo, tableName: config.metricSettingsTable }),
  });
  // Users named by e-mail (access tokens carry a uuid username): the audit trail and the dashboards' owners.
  const emails = createActorEmails({ cognito: clients.cognito, userPoolId: config.userPoolId, logger });
  registerDashboardRoutes(app, {
    authorizer,
    store: createDashboardStore({ dynamo: clients.dynamo, tableName: config.dashboardsTable }),
    emails,
  });
  registerDeviceStatusCountRoutes(app, { authorizer, dataService, scope });
  registerOverviewRoutes(app, {
    authorizer,
    overview: createOverview({ clients, devicesTable: config.devicesTable, dataService, logger }),
    scope,
  });
  registerAuditRoutes(app, {
    authorizer,
    store: auditStore,
    revoked: revokedDevices,
    emails,
  });
  registerProvisioningRoutes(app, { authorizer, iot: clients.iot, logger });
  return app;
}
