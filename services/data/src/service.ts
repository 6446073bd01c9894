/**
 * Wires the Data Service from AWS clients and configuration: the stores, the consumer, the HTTP
 * app and the metrics. main.ts builds the clients from the environment; tests pass clients pointed
 * at dynalite, s3rver and a queue of their own.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { IoTClient } from '@aws-sdk/client-iot';
import type { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHealthProbe, dataServiceMetrics, defaultRetention, monitoring, telemetryBucket, type DependencyProbe } from '@fleet/core';
import type { TokenVerifier } from '@fleet/core/tokens';
import type { Logger } from 'pino';
import { createAlarms } from './alarms/index.ts';
import { buildApp } from './app.ts';
import { createArchiveWriter } from './archive-writer.ts';
import { createDataJobs } from './data-jobs/index.ts';
import { createDeadLetterStore } from './dead-letters.ts';
import { bucketProbe, tableProbe } from './dependency-probes.ts';
import { createDeviceStateReader } from './device-states.ts';
import { createDeviceStatusCounter } from './device-status-counts.ts';
import type { Metrics } from './emf.ts';
import { createMetrics } from './emf.ts';
import { createIngestConsumer } from './ingest-consumer.ts';
import type { IngestConsumerOptions } from './ingest-consumer.ts';
import { createIngestProcessor } from './ingest-processor.ts';
import type { IngestQueue } from './ingest-queue.ts';
import { createLatestStore } from './latest-store.ts';
import { coalesceLatest } from './latest-coalescer.ts';
import { createGrantedGroups } from './live/granted-groups.ts';
import { createGroupRepublisher } from './live/group-republisher.ts';
import { createPresenceStore } from './presence.ts';
import { createDeadLetterReplay } from './dead-letter-backlog.ts';
import type { DeadLetterQueueRedrive } from './queue-redrive.ts';
import type { QueueSender } from './replay.ts';
import { createDeadLetterReplayer } from './replay.ts';
import { createTelemetryStore } from './telemetry-store.ts';
import { countingStoredReadings, createDataUsageReader, createIngestRate } from './usage/index.ts';
import { createGroupMembership, groupDevices } from './group-membership.ts';
import { applyBucketLifecycle } from './retention/bucket-lifecycle.ts';
import { createDeviceRetention } from './retention/device-retention.ts';
import { createRetentionStore } from './retention/retention-store.ts';
import { createCachedRollupReader } from './rollups/cached-rollup-reader.ts';
import { createBucketCache } from './rollups/bucket-cache.ts';
import { createRollupReader } from './rollups/rollup-reader.ts';
import { createRollupWriter } from './rollups/rollup-writer.ts';
import { createFoldScheduler, foldIntervalMs } from './rollups/fold-scheduler.ts';
import { createHourFolder, hourFoldIntervalMs } from './rollups/hour-folder.ts';

export interface DataServiceOptions {
  readonly logger: Logger;
  readonly dynamo: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly queue: IngestQueue;
  /** Puts replayed error-action dead letters back on the ingest queue; replay answers 501 without it and `redrive`. */
  readonly sender?: QueueSender;
  /** The ingest dead-letter queue: its depth and its redrive (SQS message move tasks). */
  readonly redrive?: DeadLetterQueueRedrive;
  /** Its own tables (docs/adr/0001-table-ownership.md): the device state (latest values and presence) and the time series. */
  readonly tables: {
    readonly latest: string;
    readonly telemetry: string;
    /** The 1m/1h/1d rollups; without it charts fold raw readings and no rollup is kept. */
    readonly rollups?: string;
    /** Retention settings (and data jobs); without it the fleet default retention applies and there are no retention routes. */
    readonly dataControl?: string;
  };
  /**
   * User-defined alarms: their table, the IoT control plane (thing groups), the SNS topic of their
   * notifications. @default no alarms (no routes, nothing evaluated)
   */
  readonly alarms?: {
    readonly table: string;
    readonly iot: Pick<IoTClient, 'send'>;
    readonly sns: Pick<SNSClient, 'send'>;
    readonly topicArn: string;
    /** How often the silent-device sweep and the outbox drain run. @default 15000 */
    readonly intervalMs?: number;
  };
  readonly bucket: string;
  /**
   * Data jobs (export, import, replay), kept in `tables.dataControl`: the IoT control plane for
   * exports of a thing group, the runner's timing. @default no data jobs (no routes, no runner)
   */
  readonly dataJobs?: {
    readonly iot?: Pick<IoTClient, 'send'>;
    readonly pollMs?: number;
    readonly heartbeatMs?: number;
    readonly leaseMs?: number;
  };
  /**
   * Live readings for users granted thing groups: the user pool's groups (Cognito ListGroups), the
   * IoT data plane (Publish) and control plane (ListThingsInThingGroup). @default none re-published
   */
  readonly groupLive?: {
    readonly cognito: Pick<CognitoIdentityProviderClient, 'send'>;
    readonly userPoolId: string;
    readonly iot: Pick<IoTClient, 'send'>;
    readonly iotData: Pick<IoTDataPlaneClient, 'send'>;
    /** How long the granted groups and their devices are reused. @default 60000 */
    readonly ttlMs?: number;
  };
  /** @default an EMF aggregator on stdout flushing every 10 s */
  readonly metrics?: Metrics;
  readonly consumer?: Omit<IngestConsumerOptions, 'queue' | 'processor' | 'logger'>;
  /**
   * How often live ingest writes the rollups it deferred; its messages are deleted only then. At
   * most `foldIntervalMs`, which the charts' raw tail (`rollupLagMs`) assumes. @default foldIntervalMs (5 s)
   */
  readonly foldIntervalMs?: number;
  /**
   * How often the hours and days live ingest marked are folded. At most `hourFoldIntervalMs`, which
   * the charts' minute tail (`hourFoldLagMs`) assumes. @default hourFoldIntervalMs (30 s)
   */
  readonly hourFoldIntervalMs?: number;
  /** Readiness probes besides the tables and the bucket (main.ts adds the queue's). */
  readonly healthDependencies?: readonly DependencyProbe[];
  /** How long one round of readiness probes is reused. @default 5000 */
  readonly healthCacheMs?: number;
  /** Judges the access tokens of the HTTP API's callers (see caller-check.ts). */
  readonly verifier: TokenVerifier;
}

/** The hours of closed days a task holds for long charts: ≈ 15 MB, about 5 device-years of one metric. */
const hourCacheAggregates = 50_000;

/** Builds the service; `start()` begins consuming, `stop()` drains and closes. */
export function createDataService(options: DataServiceOptions) {
  const { logger, dynamo, s3 } = options;
  // The stored readings are also counted into the measured ingest rate of the usage answer.
  const ingestRate = createIngestRate();
  const metrics = countingStoredReadings(
    options.metrics ?? createMetrics({ namespace: monitoring.namespace, service: 'data' }),
    ingestRate,
  );
  const { rollups: rollupsTable, dataControl } = options.tables;
  const retentionStore = dataControl ? createRetentionStore({ client: dynamo, tableName: dataControl }) : undefined;
  // Each item's expiresAt follows its device's policy: the fleet's, or its thing groups' overrides.
  // One cache of the devices' thing groups for retention, alarms, device access and group live topics.
  const iot = options.alarms?.iot;
  const groups = iot ? createGroupMembership({ iot }) : undefined;
  const policyOf = retentionStore ? createDeviceRetention({ settings: retentionStore, ...(groups ? { groups } : {}) }) : undefined;
  const applyArchiveDays = (archiveDays: number) => applyBucketLifecycle({ s3, bucket: options.bucket, logger }, archiveDays);
  const rollupWriter = rollupsTable
    ? createRollupWriter({
        client: dynamo,
        tableName: rollupsTable,
        policyOf: policyOf ?? (() => Promise.resolve(defaultRetention)),
        onWriteUnits: (units) => metrics.count(dataServiceMetrics.rollupWriteCapacityUnits, units),
      })
    : undefined;
  // Live ingest writes its minute rollups at most every 5 s, its messages held until then, with
  // their hours and days, or, for an hour folded in the last 30 s, a mark folded within 30 s (issue 9).
  const hours = rollupWriter
    ? createHourFolder({
        writer: rollupWriter,
        logger,
        ...(options.hourFoldIntervalMs !== undefined ? { intervalMs: Math.min(options.hourFoldIntervalMs, hourFoldIntervalMs) } : {}),
      })
    : undefined;
  const folds =
    rollupWriter && hours
      ? createFoldScheduler({
          writer: rollupWriter,
          marking: hours,
          logger,
          ...(options.foldIntervalMs !== undefined ? { intervalMs: Math.min(options.foldIntervalMs, foldIntervalMs) } : {}),
        })
      : undefined;
  // The write units of stored readings, summed per interval like the other counters (the bench reads them).
  const telemetry = createTelemetryStore({
    client: dynamo,
    tableName: options.tables.telemetry,
    logger,
    onWriteUnits: (units) => {
      metrics.count(dataServiceMetrics.telemetryWriteCapacityUnits, units);
      metrics.count(dataServiceMetrics.telemetryWrites, 1);
    },
    ...(policyOf ? { policyOf } : {}),
    ...(rollupWriter && folds ? { rollups: rollupWriter, folds } : {}),
  });
  // A device's latest values at most about once a second (latest-coalescer.ts), its messages held until then.
  const latest = coalesceLatest(
    createLatestStore({
      client: dynamo,
      tableName: options.tables.latest,
      onWriteUnits: (units) => metrics.count(dataServiceMetrics.latestWriteCapacityUnits, units),
    }),
    { logger },
  );
  const deadLetters = createDeadLetterStore({ client: s3, bucket: options.bucket });
  const alarms = options.alarms
    ? createAlarms({
        dynamo,
        tableName: options.alarms.table,
        latestTableName: options.tables.latest,
        iot: options.alarms.iot,
        ...(groups ? { groups } : {}),
        sns: options.alarms.sns,
        topicArn: options.alarms.topicArn,
        logger,
        onPublished: (count) => metrics.count('AlarmNotificationsPublished', count),
        ...(options.alarms.intervalMs === undefined ? {} : { intervalMs: options.alarms.intervalMs }),
      })
    : undefined;
  const { groupLive } = options;
  const live = groupLive
    ? createGroupRepublisher({
        iotData: groupLive.iotData,
        granted: createGrantedGroups({
          cognito: groupLive.cognito,
          iot: groupLive.iot,
          userPoolId: groupLive.userPoolId,
          ...(groupLive.ttlMs === undefined ? {} : { ttlMs: groupLive.ttlMs }),
        }),
        metrics,
        logger,
      })
    : undefined;
  const processor = createIngestProcessor({
    telemetry,
    latest,
    deadLetters,
    archive: createArchiveWriter({ client: s3, bucket: options.bucket }),
    presence: createPresenceStore({ client: dynamo, tableName: options.tables.latest }),
    metrics,
    logger,
    ...(alarms ? { alarms: alarms.engine } : {}),
    ...(live ? { live } : {}),
  });
  const dataJobs =
    options.dataJobs && dataControl
      ? createDataJobs({
          dynamo,
          s3,
          bucket: options.bucket,
          tableName: dataControl,
          telemetry,
          writeHistorical: (readings) => telemetry.writeHistorical(readings),
          latest,
          ...(options.dataJobs.iot ? { iot: options.dataJobs.iot } : {}),
          logger,
          runner: {
            ...(options.dataJobs.pollMs === undefined ? {} : { pollMs: options.dataJobs.pollMs }),
            ...(options.dataJobs.heartbeatMs === undefined ? {} : { heartbeatMs: options.dataJobs.heartbeatMs }),
            ...(options.dataJobs.leaseMs === undefined ? {} : { leaseMs: options.dataJobs.leaseMs }),
          },
        })
      : undefined;
  const consumer = createIngestConsumer({
    ...options.consumer,
    queue: options.queue,
    processor,
    logger,
    flushHeld: async () => void (await Promise.all([folds?.flush(), latest.flush()])),
  });
  let consuming = false;
  const app = buildApp({
    logger,
    verifier: options.verifier,
    telemetry,
    latest,
    states: createDeviceStateReader({ client: dynamo, tableName: options.tables.latest }),
    statusCounts: createDeviceStatusCounter({ client: dynamo, tableName: options.tables.latest }),
    ...(groups ? { groups } : {}),
    ...(iot ? { groupDevices: (group: string) => groupDevices(iot, group) } : {}),
    deadLetters,
    // Charts read the minutes of closed hours and the hours of closed days from memory, checked
    // against their hour and day items: a day's chart reads ≤ 25 hour items, a year's ≤ 366 day items.
    ...(rollupsTable
      ? {
          rollups: createCachedRollupReader({
            reader: createCachedRollupReader({
              reader: createRollupReader({ client: dynamo, tableName: rollupsTable }),
              cache: createBucketCache(),
            }),
            cache: createBucketCache({ maxAggregates: hourCacheAggregates }),
            levels: { child: '1h', parent: '1d' },
          }),
        }
      : {}),
    ...(retentionStore ? { retention: { store: retentionStore, applyArchiveDays } } : {}),
    ...(alarms ? { alarms } : {}),
    ...(rollupsTable && retentionStore
      ? {
          usage: createDataUsageReader({
            dynamo,
            s3,
            bucket: options.bucket,
            tables: { telemetry: options.tables.telemetry, rollups: rollupsTable, latest: options.tables.latest },
            retention: retentionStore,
            rate: ingestRate,
            // The model prices the writes with the spacing this task's consumer runs with.
            ...(options.consumer?.maxFlushSpacingMs !== undefined ? { flushSpacingMs: options.consumer.maxFlushSpacingMs } : {}),
          }),
        }
      : {}),
    ...(dataJobs ? { dataJobs: { jobs: dataJobs, s3, bucket: options.bucket } } : {}),
    replay:
      options.sender && options.redrive
        ? createDeadLetterReplay({
            replayer: createDeadLetterReplayer({ s3, bucket: options.bucket, sender: options.sender, logger }),
            redrive: options.redrive,
          })
        : undefined,
    health: createHealthProbe({
      service: 'data',
      dependencies: [
        {
          name: 'ingest-consumer',
          probe: () => (consuming ? Promise.resolve() : Promise.reject(new Error('the queue consumer is not running'))),
        },
        ...[
          options.tables.latest,
          options.tables.telemetry,
          ...(rollupsTable ? [rollupsTable] : []),
          ...(dataControl ? [dataControl] : []),
          ...(options.alarms ? [options.alarms.table] : []),
        ].map((table) => tableProbe(dynamo, table)),
        bucketProbe(s3, options.bucket, telemetryBucket.prefixes.deadLetters),
        ...(options.healthDependencies ?? []),
      ],
      ...(options.healthCacheMs === undefined ? {} : { cacheMs: options.healthCacheMs }),
    }),
  });
  return {
    app,
    metrics,
    telemetry,
    latest,
    alarms,
    dataJobs,
    start() {
      // A redeploy may have reset the bucket's lifecycle rules to the CDK default: apply the stored archive retention.
      if (retentionStore) {
        retentionStore
          .get()
          .then((settings) => applyArchiveDays(settings.fleet.archiveDays))
          .catch((err: unknown) => logger.error({ err }, 'applying the archive retention to the bucket failed'));
      }
      consumer.start();
      void hours?.start();
      alarms?.start();
      dataJobs?.runner.start();
      consuming = true;
    },
    /** Stops receiving, finishes in-flight batches, closes the HTTP server, flushes metrics. */
    async stop() {
      consuming = false;
      await consumer.stop();
      await hours?.stop();
      await live?.idle();
      await alarms?.stop();
      await dataJobs?.runner.stop();
      await app.close();
      metrics.stop();
    },
  };
}

export type DataService = ReturnType<typeof createDataService>;
