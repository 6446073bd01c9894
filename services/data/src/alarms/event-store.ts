/**
 * Alarm events: the history and the in-app feed. One item per event in its day's partition
 * (`pk = events#<day>`, `sk = <at>#<eventId>`), written with `attribute_not_exists` on a key
 * derived from the event alone, so writing the same event again (a retry, a redelivery, a second
 * task) finds it and writes nothing. Events leave by TTL after `alarmLimits.eventRetentionDays`.
 *
 * The feed reads day partitions newest first; each user's marker (`reader#<sub>`) says up to when
 * they have read, and the unread count is counted from it (at most 1000).
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { alarmLimits, type AlarmEvent } from '@fleet/core';
import { conditionFailed, eventDay, eventExpiry, eventKey, eventPartition, readerKey } from './alarm-items.ts';

export interface FeedQuery {
  readonly deviceId?: string;
  readonly definitionId?: string;
  readonly limit: number;
  /** Continue before this event (its `sk`) of this day. */
  readonly before?: { readonly day: string; readonly sk: string };
}

export interface FeedPage {
  readonly events: AlarmEvent[];
  /** Where the next page starts, when there may be more. */
  readonly next?: { readonly day: string; readonly sk: string };
}

export interface EventStore {
  /** Writes the event unless it is already there; `true` when this call wrote it. */
  put(event: AlarmEvent): Promise<boolean>;
  /** Records that the event's notification was published (the drain then drops a repeated outbox entry). */
  markPublished(event: AlarmEvent): Promise<void>;
  isPublished(event: AlarmEvent): Promise<boolean>;
  feed(query: FeedQuery, now?: number): Promise<FeedPage>;
  /** Events after the user's marker, counted up to `maxUnread`. */
  unread(sub: string, now?: number): Promise<number>;
  markRead(sub: string, until: string): Promise<void>;
}

export const maxUnread = 1000;
const dayMs = 86_400_000;

export function createEventStore(deps: { client: Pick<DynamoDBDocumentClient, 'send'>; tableName: string }): EventStore {
  const { client, tableName } = deps;

  /** The days events may be in, newest first, from `from` back to the retention. */
  function* days(now: number, from?: string): Generator<string> {
    const oldest = eventDay(new Date(now - alarmLimits.eventRetentionDays * dayMs).toISOString());
    let t = from ? Date.parse(`${from}T00:00:00.000Z`) : now;
    for (let day = eventDay(new Date(t).toISOString()); day >= oldest; t -= dayMs, day = eventDay(new Date(t).toISOString())) yield day;
  }

  function filterOf(query: Pick<FeedQuery, 'deviceId' | 'definitionId'>) {
    const parts: string[] = [];
    const values: Record<string, unknown> = {};
    if (query.deviceId !== undefined) {
      parts.push('deviceId = :device');
      values[':device'] = query.deviceId;
    }
    if (query.definitionId !== undefined) {
      parts.push('definitionId = :definition');
      values[':definition'] = query.definitionId;
    }
    return { parts, values };
  }

  return {
    async put(event) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...eventKey(event),
              eventId: event.eventId,
              deviceId: event.alarm.deviceId,
              definitionId: event.alarm.definitionId,
              event,
              expiresAt: eventExpiry(event),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (err) {
        if (conditionFailed(err)) return false;
        throw err;
      }
    },

    async markPublished(event) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: eventKey(event),
            UpdateExpression: 'SET publishedAt = :now',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':now': new Date().toISOString() },
          }),
        );
      } catch (err) {
        // Expired meanwhile (TTL): nothing to record.
        if (!conditionFailed(err)) throw err;
      }
    },

    async isPublished(event) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: eventKey(event), ProjectionExpression: 'publishedAt', ConsistentRead: true }),
      );
      return Item?.['publishedAt'] !== undefined;
    },

    async feed(query, now = Date.now()) {
      const events: AlarmEvent[] = [];
      const { parts, values } = filterOf(query);
      for (const day of days(now, query.before?.day)) {
        let start: Record<string, unknown> | undefined =
          query.before && query.before.day === day ? { pk: eventPartition(day), sk: query.before.sk } : undefined;
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'pk = :pk',
              ...(parts.length ? { FilterExpression: parts.join(' AND ') } : {}),
              ExpressionAttributeValues: { ':pk': eventPartition(day), ...values },
              ScanIndexForward: false,
              ExclusiveStartKey: start,
              Limit: query.limit + 1 - events.length,
            }),
          );
          for (const item of page.Items ?? []) {
            const last = events.at(-1);
            if (last && events.length === query.limit) return { events, next: { day: eventDay(last.at), sk: eventKey(last).sk } };
            events.push(item['event'] as AlarmEvent);
          }
          start = page.LastEvaluatedKey;
        } while (start);
      }
      return { events };
    },

    async unread(sub, now = Date.now()) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: readerKey(sub) }));
      const until = (Item?.['until'] as string | undefined) ?? '';
      let count = 0;
      for (const day of days(now)) {
        if (until && day < eventDay(until)) break;
        let start: Record<string, unknown> | undefined;
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: until ? 'pk = :pk AND sk > :until' : 'pk = :pk',
              // `~` sorts after every character of an event id: everything at `until` counts as read.
              ExpressionAttributeValues: { ':pk': eventPartition(day), ...(until ? { ':until': `${until}#~` } : {}) },
              Select: 'COUNT',
              ExclusiveStartKey: start,
            }),
          );
          count += page.Count ?? 0;
          if (count >= maxUnread) return maxUnread;
          start = page.LastEvaluatedKey;
        } while (start);
      }
      return count;
    },

    async markRead(sub, until) {
      // Only forward: a stale tab marking an older time never makes read events unread again.
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...readerKey(sub), until },
            ConditionExpression: 'attribute_not_exists(pk) OR #until < :until',
            ExpressionAttributeNames: { '#until': 'until' },
            ExpressionAttributeValues: { ':until': until },
          }),
        );
      } catch (err) {
        if (!conditionFailed(err)) throw err;
      }
    },
  };
}
