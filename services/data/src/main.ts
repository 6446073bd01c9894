/**
 * Composition root of the Data Service: the only place that reads `process.env`. AWS clients are
 * configured by the SDK itself from the environment (AWS_REGION, AWS_ENDPOINT_URL, credentials,
 * AWS_REQUEST_CHECKSUM_CALCULATION), so this code is the same on ECS and in the local cloud.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { IoTClient } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dataServiceConfigSchema, describeConfigProblems, loadConfig, monitoring } from '@fleet/core';
import { sdkClientDefaults } from '@fleet/core/aws-sdk';
import { exitGracefullyOnSignal } from '@fleet/core/process';
import { cognitoJwksUrl, createTokenVerifier, fetchJwks } from '@fleet/core/tokens';
import pino from 'pino';
import { createMetrics } from './emf.ts';
import { queueProbe } from './dependency-probes.ts';
import { createSqsIngestQueue } from './ingest-queue.ts';
import { createQueueRedrive } from './queue-redrive.ts';
import { createSqsQueueSender } from './replay.ts';
import { createDataService } from './service.ts';

const result = loadConfig(dataServiceConfigSchema, process.env);
if (!result.ok) {
  process.stderr.write(`data service: invalid configuration:\n${describeConfigProblems(result.problems)}\n`);
  process.exit(1);
}
const config = result.config;
const logger = pino({ level: config.logLevel, base: { service: 'data' } });

const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ ...sdkClientDefaults }), {
  marshallOptions: { removeUndefinedValues: true },
});
// Path-style addressing works on AWS S3 and on S3-compatible endpoints alike; it is not a local switch.
const s3 = new S3Client({ ...sdkClientDefaults, forcePathStyle: true });
const sqs = new SQSClient({ ...sdkClientDefaults });
const iot = new IoTClient({ ...sdkClientDefaults });

const service = createDataService({
  logger,
  dynamo,
  s3,
  queue: createSqsIngestQueue({ client: sqs, queueUrl: config.ingestQueueUrl }),
  sender: createSqsQueueSender({ client: sqs, queueUrl: config.ingestQueueUrl }),
  redrive: createQueueRedrive({
    client: sqs,
    deadLetterQueueUrl: config.ingestDeadLetterQueueUrl,
    destinationQueueUrl: config.ingestQueueUrl,
  }),
  tables: {
    latest: config.latestTable,
    telemetry: config.telemetryTable,
    rollups: config.rollupsTable,
    dataControl: config.dataControlTable,
  },
  alarms: {
    table: config.alarmsTable,
    iot,
    sns: new SNSClient({ ...sdkClientDefaults }),
    topicArn: config.alarmTopicArn,
    intervalMs: config.alarmIntervalMs,
  },
  bucket: config.bucket,
  dataJobs: { iot },
  groupLive: {
    cognito: new CognitoIdentityProviderClient({ ...sdkClientDefaults }),
    userPoolId: config.userPoolId,
    iot,
    // The endpoint is AWS_ENDPOINT_URL_IOT_DATA_PLANE (the account's iot:Data-ATS), read by the SDK. A
    // publish that hangs is given up after 5 s: it holds a slot of the bounded re-publisher, and the shutdown.
    iotData: new IoTDataPlaneClient({ ...sdkClientDefaults, requestHandler: { requestTimeout: 5_000 } }),
  },
  metrics: createMetrics({ namespace: monitoring.namespace, service: 'data', flushIntervalMs: config.metricsFlushMs }),
  consumer: { receivers: config.receivers, maxFlushSpacingMs: config.flushSpacingMs },
  healthDependencies: [queueProbe(sqs, config.ingestQueueUrl)],
  verifier: createTokenVerifier({
    userPoolId: config.userPoolId,
    clientId: config.userPoolClientId,
    loadJwks: () => fetchJwks(cognitoJwksUrl(config)),
    logger,
  }),
});

// Stop receiving, finish the in-flight batches; within ECS's 30 s stop timeout.
exitGracefullyOnSignal({ log: logger, drain: () => service.stop(), timeoutMs: 25_000 });

try {
  // Every interface in a container (ECS); the local launcher passes its --host (loopback by default).
  await service.app.listen({ port: config.port, host: config.host });
  service.start();
} catch (err) {
  logger.fatal({ err }, 'data service failed to start');
  process.exit(1);
}
