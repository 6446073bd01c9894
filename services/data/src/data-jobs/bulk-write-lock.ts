/**
 * The fleet-wide lock of the historical bulk-write path (`pk = lock`, `sk = bulk-write` in the
 * data-control table): at most one import or replay runs at a time across every Data Service task,
 * because that path merges old windows and rollups without a per-item condition. A lease, not a
 * flag: the lock of a killed task lapses after `leaseMs` and the next runner takes it.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionHeld } from './conditional-write.ts';

const key = { pk: 'lock', sk: 'bulk-write' };

export interface BulkWriteLock {
  /** Takes the lock (free, lapsed, or already this owner's); false when another owner holds it. */
  acquire(owner: string, jobId: string, leaseMs: number): Promise<boolean>;
  /** Extends the owner's lease; false when it was lost. */
  renew(owner: string, leaseMs: number): Promise<boolean>;
  release(owner: string): Promise<void>;
}

export function createBulkWriteLock(deps: {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now?: () => number;
}): BulkWriteLock {
  const { client, tableName } = deps;
  const now = deps.now ?? Date.now;
  return {
    acquire: (owner, jobId, leaseMs) =>
      conditionHeld(() =>
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...key, owner, jobId, until: now() + leaseMs },
            ConditionExpression: 'attribute_not_exists(pk) OR #until < :now OR #owner = :owner',
            ExpressionAttributeNames: { '#until': 'until', '#owner': 'owner' },
            ExpressionAttributeValues: { ':now': now(), ':owner': owner },
          }),
        ),
      ),
    renew: (owner, leaseMs) =>
      conditionHeld(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET #until = :until',
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#until': 'until', '#owner': 'owner' },
            ExpressionAttributeValues: { ':until': now() + leaseMs, ':owner': owner },
          }),
        ),
      ),
    async release(owner) {
      await conditionHeld(() =>
        client.send(
          new DeleteCommand({
            TableName: tableName,
            Key: key,
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': owner },
          }),
        ),
      );
    },
  };
}
