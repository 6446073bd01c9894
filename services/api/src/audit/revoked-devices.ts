/**
 * The record of every revoked device, kept after revocation deletes its registry item, thing and
 * certificate. They live in the audit table's own partition (`pk = revoked`,
 * `sk = <revokedAt>#<deviceId>`, no expiry) rather than a table of their own: the audit table
 * already belongs to the API with exactly the rights a record needs (PutItem, Query), a revocation
 * is a rare human act (one partition takes it for ever), and newest first is one Query.
 */
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RevokedDevice } from '@fleet/core';
import { revokedPartition } from './audit-keys.ts';

export interface RevokedDevices {
  record(device: RevokedDevice): Promise<void>;
  /** Newest first; the cursor is the last key of the previous page. */
  page(options: { limit: number; cursor?: string }): Promise<{ devices: RevokedDevice[]; nextCursor?: string }>;
}

export class InvalidRevokedCursorError extends Error {}

export function createRevokedDevices(deps: { dynamo: Pick<DynamoDBDocumentClient, 'send'>; tableName: string }): RevokedDevices {
  const { dynamo, tableName } = deps;
  return {
    async record(device) {
      const { email: _email, ...revokedBy } = device.revokedBy;
      await dynamo.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: revokedPartition, sk: `${device.revokedAt}#${device.deviceId}`, ...device, revokedBy },
        }),
      );
    },
    async page({ limit, cursor }) {
      let startSk: string | undefined;
      if (cursor !== undefined) {
        startSk = Buffer.from(cursor, 'base64url').toString('utf8');
        if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z#/.test(startSk)) throw new InvalidRevokedCursorError('is not a cursor this API answered');
      }
      const out = await dynamo.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': revokedPartition },
          ScanIndexForward: false,
          Limit: limit,
          ...(startSk ? { ExclusiveStartKey: { pk: revokedPartition, sk: startSk } } : {}),
        }),
      );
      const devices = (out.Items ?? []).map((item) => {
        const { pk: _pk, sk: _sk, ...device } = item as RevokedDevice & { pk: string; sk: string };
        return { ...device, revokedBy: { ...device.revokedBy, email: null } };
      });
      const last = out.LastEvaluatedKey?.['sk'];
      return typeof last === 'string' ? { devices, nextCursor: Buffer.from(last).toString('base64url') } : { devices };
    },
  };
}
