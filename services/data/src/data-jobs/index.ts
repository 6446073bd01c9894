/**
 * Data jobs (export, historical import, archive replay; `@fleet/core` data-jobs.ts): the job store
 * and the fleet-wide bulk-write lock in the data-control table, the runner with a handler per kind,
 * the presigned links, and the routes (registered by app.ts).
 */
import type { IoTClient } from '@aws-sdk/client-iot';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from 'pino';
import type { LatestStore } from '../latest-store.ts';
import type { TelemetryStore } from '../telemetry-store.ts';
import { createBulkWriteLock } from './bulk-write-lock.ts';
import { runExport } from './exporter.ts';
import type { WriteHistorical } from './historical-batches.ts';
import { runImport } from './importer.ts';
import { createJobRunner, type JobRunnerOptions } from './job-runner.ts';
import { createJobStore } from './job-store.ts';
import { createPresignedLinks } from './presigned-links.ts';
import { runReplay } from './replayer.ts';

export { registerJobRoutes, type JobRoutesDeps } from './job-routes.ts';
export type { WriteHistorical } from './historical-batches.ts';

export interface DataJobsOptions {
  readonly dynamo: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly bucket: string;
  /** The data-control table (`@fleet/core` dataControlTable). */
  readonly tableName: string;
  readonly telemetry: Pick<TelemetryStore, 'query'>;
  readonly writeHistorical: WriteHistorical;
  readonly latest: Pick<LatestStore, 'write'>;
  /** Thing groups for exports of a group. */
  readonly iot?: Pick<IoTClient, 'send'>;
  readonly logger: Logger;
  readonly runner?: Pick<JobRunnerOptions, 'pollMs' | 'heartbeatMs' | 'leaseMs' | 'concurrency' | 'owner'>;
  readonly now?: () => number;
}

export function createDataJobs(options: DataJobsOptions) {
  const { dynamo, s3, bucket, tableName, logger } = options;
  const now = options.now ?? Date.now;
  const store = createJobStore({ client: dynamo, tableName, now });
  const lock = createBulkWriteLock({ client: dynamo, tableName, now });
  const historical = { writeHistorical: options.writeHistorical, latest: options.latest, now };
  const runner = createJobRunner({
    ...options.runner,
    store,
    lock,
    logger,
    handlers: {
      export: (context) =>
        context.job.input.kind === 'export'
          ? runExport(
              { s3, bucket, telemetry: options.telemetry, ...(options.iot ? { iot: options.iot } : {}) },
              context,
              context.job.input,
            )
          : Promise.reject(new Error('not an export')),
      import: (context) =>
        context.job.input.kind === 'import'
          ? runImport({ ...historical, s3, bucket }, context, context.job.input)
          : Promise.reject(new Error('not an import')),
      replay: (context) =>
        context.job.input.kind === 'replay'
          ? runReplay({ ...historical, s3, bucket }, context, context.job.input)
          : Promise.reject(new Error('not a replay')),
    },
  });
  return { store, lock, runner, links: createPresignedLinks({ s3, bucket, now }), groupsAvailable: options.iot !== undefined };
}

export type DataJobs = ReturnType<typeof createDataJobs>;
