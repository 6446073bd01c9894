/**
 * Presence: AWS IoT lifecycle events keep the registry's online status
 * (https://docs.aws.amazon.com/iot/latest/developerguide/life-cycle-events.html). AWS documents
 * that these events can arrive out of order and more than once, so the update applies only when
 * the event is newer than the last one applied (`presenceAt`), and only to a registered device
 * (the client id of a device connection is its thing name, i.e. the device id).
 *
 * Device item attributes written here: `online` (boolean), `lastSeenAt` and `connectedAt`
 * (ISO 8601, like `createdAt`), `presenceAt` (epoch ms of the last applied event, for ordering),
 * `disconnectReason` (on disconnect).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PresenceIngestMessage } from '@fleet/core';
import { isConditionFailed, withBackoff } from './retry.ts';

/** `applied`: the registry changed; `ignored`: unknown device or an older event than the stored one. */
export type PresenceOutcome = 'applied' | 'ignored';

export interface PresenceStore {
  /** Applies one lifecycle event; throws only for a failed write (the message is then redelivered). */
  apply(event: PresenceIngestMessage): Promise<PresenceOutcome>;
}

export interface PresenceStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** Creates the presence updater over the devices table. */
export function createPresenceStore({ client, tableName }: PresenceStoreOptions): PresenceStore {
  return {
    async apply(event) {
      const connected = event.eventType === 'connected';
      const at = new Date(event.timestamp).toISOString();
      // Attribute names go through placeholders: `online` is a DynamoDB reserved word.
      const names: Record<string, string> = {
        '#online': 'online',
        '#lastSeenAt': 'lastSeenAt',
        '#presenceAt': 'presenceAt',
        '#deviceId': 'deviceId',
        '#reason': 'disconnectReason',
      };
      const sets = ['#online = :online', '#lastSeenAt = :at', '#presenceAt = :ts'];
      const values: Record<string, unknown> = { ':online': connected, ':at': at, ':ts': event.timestamp };
      if (connected) {
        names['#connectedAt'] = 'connectedAt';
        sets.push('#connectedAt = :at');
      } else {
        sets.push('#reason = :reason');
        values[':reason'] = event.disconnectReason ?? 'UNKNOWN';
      }
      try {
        await withBackoff(() =>
          client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { deviceId: event.clientId },
              UpdateExpression: `SET ${sets.join(', ')}${connected ? ' REMOVE #reason' : ''}`,
              ConditionExpression: 'attribute_exists(#deviceId) AND (attribute_not_exists(#presenceAt) OR #presenceAt < :ts)',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            }),
          ),
        );
        return 'applied';
      } catch (err) {
        if (isConditionFailed(err)) return 'ignored';
        throw err;
      }
    },
  };
}
