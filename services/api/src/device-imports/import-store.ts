/**
 * Device imports in the API Service's own table (`@fleet/core` deviceImportsTable): one `job` item
 * per import (status, counts, heartbeat) and its row results in `results#<part>` items, each put
 * once when its part of the file is done. A job whose task stopped (no heartbeat for
 * `heartbeatTimeoutMs`) reads as `interrupted`: the table says what was done, and importing the
 * same file again finishes it (the rows done are then `existing`).
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { deviceImportLimits, type DeviceImportJob, type DeviceImportRowResult } from '@fleet/core';
import type { ApiClients } from '../aws-clients.ts';

/** Imports leave the table after 30 days (TTL). */
const keepSeconds = 30 * 24 * 3600;
const jobItem = 'job';
const resultsPrefix = 'results#';

export interface StoredImport {
  readonly job: Omit<DeviceImportJob, 'credentialsAvailable'>;
  /** Sub of the user who started it: only they download its credentials. */
  readonly ownerSub: string;
}

export interface ImportStore {
  create(stored: StoredImport): Promise<void>;
  /** Records a finished part: its results, then the job's counts (and status once it is finished). */
  savePart(importId: string, part: number, results: readonly DeviceImportRowResult[], job: StoredImport['job']): Promise<void>;
  get(importId: string): Promise<(StoredImport & { results: DeviceImportRowResult[] }) | undefined>;
}

export function createImportStore(deps: { dynamo: ApiClients['dynamo']; tableName: string; now?: () => number }): ImportStore {
  const { dynamo, tableName } = deps;
  const now = deps.now ?? Date.now;
  const expiresAt = () => Math.floor(now() / 1000) + keepSeconds;
  return {
    async create({ job, ownerSub }) {
      await dynamo.send(
        new PutCommand({
          TableName: tableName,
          Item: { importId: job.importId, sk: jobItem, job, ownerSub, heartbeatAt: now(), expiresAt: expiresAt() },
          ConditionExpression: 'attribute_not_exists(importId)',
        }),
      );
    },

    async savePart(importId, part, results, job) {
      if (results.length > 0) {
        await dynamo.send(
          new PutCommand({
            TableName: tableName,
            Item: { importId, sk: `${resultsPrefix}${String(part).padStart(6, '0')}`, results, expiresAt: expiresAt() },
          }),
        );
      }
      await dynamo.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { importId, sk: jobItem },
          UpdateExpression: 'SET #job = :job, heartbeatAt = :at',
          ExpressionAttributeNames: { '#job': 'job' },
          ExpressionAttributeValues: { ':job': job, ':at': now() },
        }),
      );
    },

    async get(importId) {
      const head = await dynamo.send(new GetCommand({ TableName: tableName, Key: { importId, sk: jobItem }, ConsistentRead: true }));
      if (!head.Item) return undefined;
      const stored = head.Item as { job: StoredImport['job']; ownerSub: string; heartbeatAt: number };
      const results: DeviceImportRowResult[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await dynamo.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'importId = :id AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':id': importId, ':prefix': resultsPrefix },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of page.Items ?? []) results.push(...(item['results'] as DeviceImportRowResult[]));
        start = page.LastEvaluatedKey;
      } while (start);
      const stale = stored.job.status === 'running' && now() - stored.heartbeatAt > deviceImportLimits.heartbeatTimeoutMs;
      return { job: stale ? { ...stored.job, status: 'interrupted' } : stored.job, ownerSub: stored.ownerSub, results };
    },
  };
}
