/**
 * The keys of the item kinds of the `fleet-alarms` table (see `alarmsTable` in `@fleet/core`
 * resources.ts): one table, the kinds told apart by their partition key.
 *
 * | Kind | pk | sk |
 * |---|---|---|
 * | definition | `def` | `<definitionId>` |
 * | a device's alarm + evaluation state | `alarm#<definitionId>` | `<deviceId>` |
 * | event (TTL `expiresAt`) | `events#<YYYY-MM-DD of at>` | `<at ISO>#<eventId>` |
 * | outbox: a notification to publish | `outbox` | `event#<eventId>` |
 * | outbox: a state whose pending events to write | `outbox` | `state#<definitionId>#<deviceId>` |
 * | a user's feed marker | `reader#<sub>` | `feed` |
 */
import { alarmLimits, type AlarmEvent } from '@fleet/core';

export const definitionKey = (id: string) => ({ pk: 'def', sk: id });
export const definitionsPartition = 'def';

export const statePartition = (definitionId: string) => `alarm#${definitionId}`;
export const stateKey = (definitionId: string, deviceId: string) => ({ pk: statePartition(definitionId), sk: deviceId });

export const eventDay = (at: string) => at.slice(0, 10);
export const eventPartition = (day: string) => `events#${day}`;
/** Deterministic from the event itself: a retried write of the same event finds it. */
export const eventKey = (event: Pick<AlarmEvent, 'at' | 'eventId'>) => ({
  pk: eventPartition(eventDay(event.at)),
  sk: `${event.at}#${event.eventId}`,
});
/** Epoch seconds when DynamoDB TTL removes an event. */
export const eventExpiry = (event: Pick<AlarmEvent, 'at'>) =>
  Math.floor(Date.parse(event.at) / 1000) + alarmLimits.eventRetentionDays * 86_400;

export const outboxPartition = 'outbox';
export const notificationKey = (eventId: string) => ({ pk: outboxPartition, sk: `event#${eventId}` });
export const stateCheckKey = (definitionId: string, deviceId: string) => ({ pk: outboxPartition, sk: `state#${definitionId}#${deviceId}` });

export const readerKey = (sub: string) => ({ pk: `reader#${sub}`, sk: 'feed' });

/** Whether an SDK error is DynamoDB's answer to a failed condition. */
export const conditionFailed = (err: unknown) => (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
