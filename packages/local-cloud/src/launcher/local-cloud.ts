/**
 * Starts every stand-in of the diagram's managed services on one machine, provisions the shared
 * resources into them, and wires IoT Core to the rules engine. Everything persists under `dataDir`,
 * one folder per stand-in (`data-layout.ts`); a folder of the old layout is migrated first.
 */
import type { Server } from 'node:http';
import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import {
  alarmNotificationsTopic,
  userRulesRole,
  browserPolicyName,
  devicePolicyName,
  devicesTable,
  ingestQueue,
  latestTable,
  localStatusPath,
  rules,
  telemetryTable,
  platformStateTable,
  alarmsTable,
  dataControlTable,
  metricSettingsTable,
  dashboardsTable,
  auditTable,
  deviceImportsTable,
  rollupsTable,
  type LocalStatus,
  type ResourceReferences,
} from '@fleet/core';
import type { LocalEndpointsFile } from '@fleet/core/endpoints-file';
import { createAwsEndpoint, type EndpointAccess } from '../aws-endpoint/index.ts';
import { credentialResolver, localArns } from '../iam/index.ts';
import { hostAllowList } from './host-allow-list.ts';
import { createSqsStandIn } from '../sqs/index.ts';
import { createSnsStandIn, mailboxPath } from '../sns/index.ts';
import { startDynamoDb } from '../dynamodb/index.ts';
import { startS3 } from '../s3/index.ts';
import { createCognitoStandIn } from '../cognito/index.ts';
import { createIotStandIn } from '../iot/index.ts';
import { createCloudWatchStandIn } from '../cloudwatch/index.ts';
import { createRulesEngine, snsPublisher } from '../rules-engine/index.ts';
import type { ChildStatus } from '../child-process/index.ts';
import { createLocalClients, destroyClients, type LocalClients } from './aws-clients.ts';
import { dataLayout } from './data-layout.ts';
import { migrateDataLayout } from './data-migration.ts';
import { loadOrCreateCredentials, type LocalCredentials } from './local-credentials.ts';
import { provision, type ProvisionedResources } from './provision.ts';
import { ensureTopicRules } from './topic-rules-provisioning.ts';
import { ensureFleetProvisioning } from './fleet-provisioning-setup.ts';

export const localRegion = 'us-east-1';

/**
 * The rules engine's batches into the SQS stand-in: one fsync per batch, so more per batch is
 * fewer disk flushes under load; 1 MiB bounds one write. Not the API's 10 entries, which bound a
 * request on the wire and there is none here.
 */
const inProcessSqsBatch = { maxEntries: 250, maxBytes: 1024 * 1024 };
export const localAccountId = '000000000000';
/**
 * The role the platform's rules name (AWS IoT assumes a rule's role to run its actions); locally
 * every action runs as the local cloud and the role is only checked to be well-formed.
 */
const localRulesRoleArn = `arn:aws:iam::000000000000:role/fleet-iot-rules`;

export interface LocalCloudOptions {
  readonly dataDir: string;
  readonly host: string;
  readonly awsPort: number;
  readonly mqttPort: number;
  readonly mqttWebSocketPort: number;
  /** IoT HTTPS publish with device certificates (AWS: 8443). */
  readonly iotHttpsPort: number;
  readonly log: Logger;
  /** State changes of the stand-ins that run as child processes (dynalite, s3rver). */
  readonly onChildStateChange?: (status: ChildStatus) => void;
  /** The body of `GET /_fleet/status` (the launcher's live status view). */
  readonly status?: () => LocalStatus;
  /**
   * Origins whose web pages may call the AWS port (the platform's web app, i.e. the gateway); read
   * on every request, so the launcher may add the gateway's origins once it listens. @default none
   */
  readonly browserOrigins?: ReadonlySet<string>;
  /** Any SigV4-shaped credentials act as the account root (LocalStack's habit). @default false */
  readonly allowAnyCredentials?: boolean;
  /** Between two counts of the DynamoDB tables' items and bytes (DescribeTable). @default 600000 */
  readonly tableStatisticsIntervalMs?: number;
}

/** What a client needs to reach the local cloud: `endpoints.json` (core's schema) without the gateway and the services. */
export type LocalEndpoints = Omit<LocalEndpointsFile, 'gatewayUrl' | 'services'>;

export interface LocalCloud {
  readonly endpoints: LocalEndpoints;
  readonly credentials: LocalCredentials;
  readonly clients: LocalClients;
  /** References for `serviceEnvironment`, given where the Data Service listens. */
  references(urls: { dataServiceUrl: string }): ResourceReferences;
  /** Process ids of the stand-ins that run as child processes (crash and fuzz tests check them). */
  standInPids(): { readonly dynamodb: number; readonly s3: number };
  /** Feeds a service's stdout line to CloudWatch if it is an Embedded Metric Format record. */
  ingestServiceLine(line: string, logGroupName: string): boolean;
  stop(): Promise<void>;
}

export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const { dataDir, host, log } = options;
  await mkdir(dataDir, { recursive: true });
  await migrateDataLayout(dataDir, log.child({ component: 'data-folder' }));
  const layout = dataLayout(dataDir);
  const stack: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of stack.reverse()) {
      await close().catch((err: unknown) => log.warn({ err }, 'error while stopping the local cloud'));
    }
  };
  try {
    const credentials = await loadOrCreateCredentials(layout.credentialsFile);
    const awsEndpoint = `http://${displayHost(host)}:${options.awsPort}`;

    const onStateChange = options.onChildStateChange;
    const [dynamodb, s3] = await Promise.all([
      startDynamoDb({
        dataDir: layout.standIns.dynamodb,
        log: log.child({ component: 'dynamodb' }),
        ...(options.tableStatisticsIntervalMs !== undefined ? { tableStatisticsIntervalMs: options.tableStatisticsIntervalMs } : {}),
        ...(onStateChange ? { onStateChange } : {}),
      }),
      startS3({ dataDir: layout.standIns.s3, log: log.child({ component: 's3' }), ...(onStateChange ? { onStateChange } : {}) }),
    ]);
    stack.push(dynamodb.close, s3.close);
    const sqs = await createSqsStandIn({ dataDir: layout.standIns.sqs, endpointUrl: awsEndpoint, log: log.child({ component: 'sqs' }) });
    stack.push(sqs.close);
    const sns = await createSnsStandIn({
      dataDir: layout.standIns.sns,
      endpointUrl: awsEndpoint,
      region: localRegion,
      accountId: localAccountId,
      // SNS's delivery into SQS is a call inside AWS: here the SQS stand-in's own durable write.
      deliverToSqs: async (queueArn, body) => {
        const queueName = queueArn.slice(queueArn.lastIndexOf(':') + 1);
        const [failure] = await sqs.sendBatch(`${awsEndpoint}/${localAccountId}/${queueName}`, [body]);
        if (failure) throw failure;
      },
      log: log.child({ component: 'sns' }),
    });
    stack.push(sns.close);
    const cognito = await createCognitoStandIn({
      dataDir: layout.standIns.cognito,
      region: localRegion,
      log: log.child({ component: 'cognito' }),
    });
    stack.push(cognito.close);
    const cloudwatch = await createCloudWatchStandIn({
      dataDir: layout.standIns.cloudwatch,
      region: localRegion,
      accountId: localAccountId,
      log: log.child({ component: 'cloudwatch' }),
    });
    stack.push(cloudwatch.close);
    const iot = await createIotStandIn({
      dataDir: layout.standIns.iot,
      region: localRegion,
      accountId: localAccountId,
      host,
      mqttPort: options.mqttPort,
      wsPort: options.mqttWebSocketPort,
      httpsPort: options.iotHttpsPort,
      resolveCredentials: (accessKeyId: string) => cognito.lookupCredentials(accessKeyId),
      log: log.child({ component: 'iot' }),
      endpointUrl: awsEndpoint,
    });
    // Closed again (a no-op then) before the rules engine drains: see below.
    stack.push(iot.close);

    let userPoolId = '';
    const arns = localArns({ region: localRegion, account: localAccountId, userPoolId: () => userPoolId });
    const access: EndpointAccess = {
      ...(options.allowAnyCredentials
        ? {}
        : {
            credentials: credentialResolver({
              root: credentials,
              tasks: credentials.tasks,
              identities: (accessKeyId) => cognito.issuedCredentials(accessKeyId),
              arns,
            }),
          }),
      arns,
      allowedOrigins: options.browserOrigins ?? new Set(),
      isAllowedHost: hostAllowList(host),
    };
    const endpoint: Server = createAwsEndpoint({
      access,
      handlers: {
        dynamodb: dynamodb.handler,
        s3: s3.handler,
        sqs: sqs.handler,
        sns: sns.handler,
        'cognito-idp': cognito.userPoolHandler,
        'cognito-identity': cognito.identityHandler,
        monitoring: cloudwatch.metricsHandler,
        logs: cloudwatch.logsHandler,
        iot: iot.controlHandler,
        iotdata: iot.dataHandler,
        'iot-jobs-data': iot.jobsDataHandler,
      },
      httpRoutes: [
        // Cognito serves each pool's keys under the pool id; pool ids start with the region.
        { prefix: `/${localRegion}_`, handler: cognito.jwksHandler },
        // Plays the role of https://www.amazontrust.com/repository/AmazonRootCA1.pem for devices.
        {
          prefix: '/_fleet/ca.pem',
          handler: async () => ({ status: 200, headers: { 'content-type': 'application/x-pem-file' }, body: iot.caCertificatePem }),
        },
        // SNS's SigningCertURL, and the local mailbox of e-mail subscriptions (nothing sends mail locally).
        { prefix: '/_fleet/sns/', handler: sns.certificateHandler },
        { prefix: mailboxPath, handler: sns.mailboxHandler },
        // A topic rule destination's enableUrl is opened by whoever received the confirmation
        // message, without AWS credentials (AWS's is https://iot.<region>.amazonaws.com/confirmdestination/<token>).
        { prefix: '/confirmdestination/', handler: iot.controlHandler },
        // The live status view, where LocalStack users look for `/_localstack/health`.
        {
          prefix: localStatusPath,
          handler: async () => ({
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(options.status?.() ?? {}),
          }),
        },
      ],
      log: log.child({ component: 'aws-endpoint' }),
    });
    await new Promise<void>((resolve, reject) => {
      endpoint.once('error', reject);
      endpoint.listen(options.awsPort, host, () => resolve());
    });
    stack.push(() => new Promise<void>((resolve) => endpoint.close(() => resolve())));
    endpoint.closeIdleConnections?.();

    const clients = createLocalClients(awsEndpoint, localRegion, credentials);
    stack.push(async () => destroyClients(clients));
    const provisioned: ProvisionedResources = await provision(clients, localRegion, localAccountId);
    userPoolId = provisioned.userPoolId;
    const claim = await ensureFleetProvisioning(clients.iot, { region: localRegion, accountId: localAccountId, claimDir: layout.claimDir });

    // The platform's rules go in through CreateTopicRule, as CDK deploys them; the engine runs what
    // the control plane holds, so rules created, replaced, disabled or deleted later take effect at once.
    await ensureTopicRules(
      clients.iot,
      rules,
      {
        queueUrl: (queueId: string) => required(provisioned.queueUrls[queueId], `queue ${queueId}`),
        bucketName: () => provisioned.bucketName,
        // Local tables are named by their logical id (see `endpoints.tables`).
        tableName: (tableId: string) => tableId,
        topicArn: (topicId: string) => `arn:aws:sns:${localRegion}:${localAccountId}:${topicId}`,
        roleArn: localRulesRoleArn,
      },
      log.child({ component: 'rules' }),
    );
    const engine = createRulesEngine({
      source: iot.topicRules,
      httpDestinations: iot.topicRules,
      sqs: clients.sqs,
      // IoT Rules' SQS action is a call inside AWS: here the SQS stand-in's own durable write, in batches.
      sqsBatches: { send: sqs.sendBatch, limits: inProcessSqsBatch },
      cloudwatch: clients.cloudwatch,
      logs: clients.logs,
      s3: clients.s3,
      dynamodb: clients.dynamodb,
      snsPublish: snsPublisher(clients.sns),
      republish: (topic: string, payload: Buffer, qos: 0 | 1) => iot.publish(topic, payload, qos),
      log: log.child({ component: 'rules' }),
    });
    // The broker acknowledges a QoS 1 publish only once the rules engine made it durable (on the
    // queue, or its error action's dead letter). Messages without a principal are the service's own.
    iot.onMessage((message) => engine.handle(message, { fromService: message.principal === undefined }));
    // At stop: the broker's ports close first, then in-flight rule actions finish (stack order).
    stack.push(() => engine.drain());
    // Only now do devices get in: nothing is accepted before the rules engine is attached.
    await iot.listen();
    stack.push(iot.close);

    const mqttHost = displayHost(host);
    const endpoints: LocalEndpoints = {
      region: localRegion,
      accountId: localAccountId,
      awsEndpoint,
      mqttUrl: `mqtts://${mqttHost}:${iot.mqttPort}`,
      mqttHost,
      mqttPort: iot.mqttPort,
      mqttWebSocketUrl: `ws://${mqttHost}:${iot.wsPort}/mqtt`,
      iotHttpsPort: iot.httpsPort,
      caFile: iot.caFile,
      caUrl: `${awsEndpoint}/_fleet/ca.pem`,
      claim,
      credentialsFile: layout.credentialsFile,
      userPoolId: provisioned.userPoolId,
      userPoolClientId: provisioned.userPoolClientId,
      identityPoolId: provisioned.identityPoolId,
      queueUrls: provisioned.queueUrls,
      bucket: provisioned.bucketName,
      tables: {
        devices: devicesTable.id,
        latest: latestTable.id,
        telemetry: telemetryTable.id,
        platformState: platformStateTable.id,
        alarms: alarmsTable.id,
        rollups: rollupsTable.id,
        dataControl: dataControlTable.id,
        metricSettings: metricSettingsTable.id,
        dashboards: dashboardsTable.id,
        audit: auditTable.id,
        deviceImports: deviceImportsTable.id,
      },
      devicePolicyName,
      browserPolicyName,
    };

    return {
      endpoints,
      credentials,
      clients,
      references: ({ dataServiceUrl }) => ({
        region: localRegion,
        devicesTable: devicesTable.id,
        latestTable: latestTable.id,
        telemetryTable: telemetryTable.id,
        platformStateTable: platformStateTable.id,
        alarmsTable: alarmsTable.id,
        rollupsTable: rollupsTable.id,
        dataControlTable: dataControlTable.id,
        metricSettingsTable: metricSettingsTable.id,
        dashboardsTable: dashboardsTable.id,
        bucket: provisioned.bucketName,
        ingestQueueUrl: required(provisioned.queueUrls[ingestQueue.id], 'ingest queue'),
        ingestDeadLetterQueueUrl: required(provisioned.queueUrls[ingestQueue.deadLetter.id], 'ingest dead-letter queue'),
        userPoolId: provisioned.userPoolId,
        userPoolClientId: provisioned.userPoolClientId,
        identityPoolId: provisioned.identityPoolId,
        iotEndpoint: mqttHost,
        iotWebSocketUrl: endpoints.mqttWebSocketUrl,
        iotDataPlaneUrl: awsEndpoint,
        iotMqttPort: iot.mqttPort,
        iotHttpsPort: iot.httpsPort,
        iotCaUrl: endpoints.caUrl,
        devicePolicyName,
        browserPolicyName,
        dataServiceUrl,
        // The SNS stand-in names its topics like AWS; the local cloud keeps no role objects.
        alarmTopicArn: arns.topicArn(alarmNotificationsTopic.id),
        userRulesRoleArn: arns.roleArn(userRulesRole.id),
        auditTable: auditTable.id,
        deviceImportsTable: deviceImportsTable.id,
      }),
      standInPids: () => ({ dynamodb: dynamodb.process.status().pid ?? -1, s3: s3.process.status().pid ?? -1 }),
      ingestServiceLine: (line, logGroupName) => cloudwatch.ingestEmfLine(line, logGroupName),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** 0.0.0.0 is where we listen, not an address a client can dial. */
function displayHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not provisioned`);
  return value;
}
