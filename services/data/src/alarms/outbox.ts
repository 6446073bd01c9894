/**
 * The outbox (`pk = outbox`): work that must happen after a transition even if the process dies
 * right after it. Two kinds:
 * - `event#<eventId>`: a notification to publish to SNS, deleted once Publish succeeded;
 * - `state#<definitionId>#<deviceId>`: put before a transition's state write, it names a state
 *   whose pending events may not be written yet; the drain writes them (transition-writer.ts).
 *   A marker for a transition that lost its race is harmless: the drain finds nothing pending.
 */
import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlarmEvent } from '@fleet/core';
import { conditionFailed, notificationKey, outboxPartition, stateCheckKey } from './alarm-items.ts';

export type OutboxEntry =
  | { readonly kind: 'notification'; readonly event: AlarmEvent; readonly markedAt: number }
  | { readonly kind: 'state'; readonly definitionId: string; readonly deviceId: string; readonly token: string; readonly markedAt: number };

export interface Outbox {
  putNotification(event: AlarmEvent): Promise<void>;
  deleteNotification(eventId: string): Promise<void>;
  putStateCheck(definitionId: string, deviceId: string, token: string): Promise<void>;
  /** Deletes the marker if it is still the one with `token` (a newer transition's stays). */
  deleteStateCheck(definitionId: string, deviceId: string, token: string): Promise<void>;
  /** The oldest entries, up to `limit`. */
  list(limit: number): Promise<OutboxEntry[]>;
}

export function createOutbox(deps: { client: Pick<DynamoDBDocumentClient, 'send'>; tableName: string; now?: () => number }): Outbox {
  const { client, tableName } = deps;
  const now = deps.now ?? Date.now;
  return {
    async putNotification(event) {
      await client.send(new PutCommand({ TableName: tableName, Item: { ...notificationKey(event.eventId), event, markedAt: now() } }));
    },
    async deleteNotification(eventId) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: notificationKey(eventId) }));
    },
    async putStateCheck(definitionId, deviceId, token) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...stateCheckKey(definitionId, deviceId), definitionId, deviceId, token, markedAt: now() },
        }),
      );
    },
    async deleteStateCheck(definitionId, deviceId, token) {
      try {
        await client.send(
          new DeleteCommand({
            TableName: tableName,
            Key: stateCheckKey(definitionId, deviceId),
            ConditionExpression: '#token = :token',
            ExpressionAttributeNames: { '#token': 'token' },
            ExpressionAttributeValues: { ':token': token },
          }),
        );
      } catch (err) {
        if (!conditionFailed(err)) throw err;
      }
    },
    async list(limit) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': outboxPartition },
          ConsistentRead: true,
          Limit: limit,
        }),
      );
      return Items.map((item): OutboxEntry =>
        String(item['sk']).startsWith('event#')
          ? { kind: 'notification', event: item['event'] as AlarmEvent, markedAt: item['markedAt'] as number }
          : {
              kind: 'state',
              definitionId: item['definitionId'] as string,
              deviceId: item['deviceId'] as string,
              token: item['token'] as string,
              markedAt: item['markedAt'] as number,
            },
      );
    },
  };
}
