/**
 * Presence: AWS IoT lifecycle events keep each device's online status in its item of the device
 * state table (`device-states.ts`), which the Data Service owns; the API Service reads it over
 * HTTP (docs/adr/0001-table-ownership.md). AWS documents that these events can arrive out of
 * order and more than once (https://docs.aws.amazon.com/iot/latest/developerguide/life-cycle-events.html),
 * so the update applies only when the event is newer than the last one applied: by its timestamp, then
 * by its connection's `versionNumber`, then a disconnect after the connect of the same connection
 * (`presenceOrder`; a connect and a disconnect in one millisecond otherwise left a device online). The
 * timestamp comes first because a broker's version numbers may start again after it restarts.
 *
 * The client id of a device connection is its thing name, i.e. the device id; events of other
 * clients (browsers connect with their Cognito identity id, `<region>:<uuid>`) are ignored.
 *
 * Item attributes written here: `online` (boolean), `lastSeenAt` and `connectedAt` (ISO 8601),
 * `presenceAt` (epoch ms of the last applied event), `presenceOrder` (its place in the order above, a
 * string that sorts as the events do), `disconnectReason` (on disconnect). An UpdateItem leaves the latest reading of the same item alone.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { deviceIdPattern, type PresenceIngestMessage } from '@fleet/core';
import { isConditionFailed, withBackoff } from './retry.ts';

/** `applied`: the state changed; `ignored`: not a device's client id, or an older event than the stored one. */
export type PresenceOutcome = 'applied' | 'ignored';

export interface PresenceStore {
  /** Applies one lifecycle event; throws only for a failed write (the message is then redelivered). */
  apply(event: PresenceIngestMessage): Promise<PresenceOutcome>;
}

export interface PresenceStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** The device state table. */
  readonly tableName: string;
}

/** AWS IoT's disconnect reasons are short words (`CLIENT_INITIATED_DISCONNECT`); longer text is cut to the contract's bound. */
const maxReasonLength = 64;

/**
 * Where an event sorts among a device's lifecycle events: fixed-width decimal fields, so DynamoDB's
 * string comparison orders them as (timestamp, versionNumber, connected before disconnected).
 */
export function presenceOrder(event: Pick<PresenceIngestMessage, 'timestamp' | 'versionNumber' | 'eventType'>): string {
  const version = event.versionNumber ?? 0;
  return `${String(event.timestamp).padStart(16, '0')}.${String(version).padStart(20, '0')}.${event.eventType === 'disconnected' ? 1 : 0}`;
}

/** Creates the presence updater over the device state table. */
export function createPresenceStore({ client, tableName }: PresenceStoreOptions): PresenceStore {
  return {
    async apply(event) {
      if (!deviceIdPattern.test(event.clientId)) return 'ignored';
      const connected = event.eventType === 'connected';
      const at = new Date(event.timestamp).toISOString();
      // Attribute names go through placeholders: `online` is a DynamoDB reserved word.
      const names: Record<string, string> = {
        '#online': 'online',
        '#lastSeenAt': 'lastSeenAt',
        '#presenceAt': 'presenceAt',
        '#reason': 'disconnectReason',
        '#order': 'presenceOrder',
      };
      const sets = ['#online = :online', '#lastSeenAt = :at', '#presenceAt = :ts', '#order = :order'];
      const values: Record<string, unknown> = { ':online': connected, ':at': at, ':ts': event.timestamp, ':order': presenceOrder(event) };
      if (connected) {
        names['#connectedAt'] = 'connectedAt';
        sets.push('#connectedAt = :at');
      } else {
        sets.push('#reason = :reason');
        const reason: unknown = event.disconnectReason;
        values[':reason'] = typeof reason === 'string' && reason !== '' ? reason.slice(0, maxReasonLength) : 'UNKNOWN';
      }
      try {
        await withBackoff(() =>
          client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { deviceId: event.clientId },
              UpdateExpression: `SET ${sets.join(', ')}${connected ? ' REMOVE #reason' : ''}`,
              // An item written before `presenceOrder` existed is ordered by its `presenceAt` alone.
              ConditionExpression:
                '(attribute_not_exists(#order) AND (attribute_not_exists(#presenceAt) OR #presenceAt < :ts)) OR #order < :order',
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
