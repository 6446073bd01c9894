/**
 * Reads the rollup buckets of a device and level whose start lies in a range: one Query per
 * partition period (a day of minutes, a month of hours, a year of days), page by page, in time order.
 * A one-year chart at hour resolution reads ≈ 8,760 items in 13 partitions.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RollupLevelId } from '@fleet/core';
import { queryItems } from '../query-items.ts';
import { bucketOfItem, type BucketAggregate } from './aggregate.ts';
import { partitionsBetween, rollupSortKey } from './rollup-keys.ts';

export interface StoredBucket {
  /** Bucket start, epoch ms. */
  readonly start: number;
  readonly aggregate: BucketAggregate;
}

export interface RollupReader {
  /** The buckets of `levelId` starting in [from, to], in time order. */
  buckets(deviceId: string, levelId: RollupLevelId, from: number, to: number): AsyncGenerator<StoredBucket>;
}

export function createRollupReader(deps: { client: DynamoDBDocumentClient; tableName: string }): RollupReader {
  return {
    async *buckets(deviceId, levelId, from, to) {
      for (const part of partitionsBetween(deviceId, levelId, from, to)) {
        for await (const item of queryItems(deps.client, {
          TableName: deps.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
          ExpressionAttributeValues: { ':pk': part.pk, ':a': rollupSortKey(part.from), ':b': rollupSortKey(part.to) },
        })) {
          yield { start: Date.parse(String(item['sk'])), aggregate: bucketOfItem(item) };
        }
      }
    },
  };
}
