/**
 * Publishes alarm events to the alarm notifications SNS topic as `AlarmNotification` JSON, with
 * the subject of `alarmNotificationSubject` and message attributes subscribers filter on
 * (severity, type, deviceId, definitionId). A notification leaves the outbox only once Publish
 * succeeded; a failure is logged and the drain tries again, so every event is published at least
 * once. Receivers drop a repeat by its stable `eventId` (the contract says so).
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { alarmNotificationAttributes, alarmNotificationSubject, type AlarmEvent, type AlarmNotification } from '@fleet/core';
import type { Logger } from 'pino';
import type { EventStore } from './event-store.ts';
import type { Outbox } from './outbox.ts';

export interface Notifier {
  /** Publishes each event and removes it from the outbox; `false` for each that failed (left for the drain). */
  publish(events: readonly AlarmEvent[]): Promise<boolean[]>;
}

const attribute = (value: string) => ({ DataType: 'String', StringValue: value });

/** The SNS Publish input of an event. */
export function publishInput(topicArn: string, event: AlarmEvent) {
  const notification: AlarmNotification = { kind: 'fleet.alarm', event };
  return {
    TopicArn: topicArn,
    Subject: alarmNotificationSubject(event),
    Message: JSON.stringify(notification),
    MessageAttributes: Object.fromEntries(
      Object.entries(alarmNotificationAttributes(event)).map(([name, value]) => [name, attribute(value)]),
    ),
  };
}

export function createNotifier(deps: {
  sns: Pick<SNSClient, 'send'>;
  topicArn: string;
  outbox: Pick<Outbox, 'deleteNotification'>;
  events: Pick<EventStore, 'markPublished'>;
  logger: Logger;
  onPublished?: (count: number) => void;
}): Notifier {
  const { sns, topicArn, outbox, logger } = deps;
  return {
    async publish(events) {
      return Promise.all(
        events.map(async (event) => {
          try {
            await sns.send(new PublishCommand(publishInput(topicArn, event)));
          } catch (err) {
            logger.warn({ err, eventId: event.eventId }, 'alarm notification not published; the outbox drain retries');
            return false;
          }
          deps.onPublished?.(1);
          try {
            await deps.events.markPublished(event);
            await outbox.deleteNotification(event.eventId);
          } catch (err) {
            // Published: at worst the drain publishes it again, which receivers drop by eventId.
            logger.warn({ err, eventId: event.eventId }, 'published alarm notification left in the outbox');
          }
          return true;
        }),
      );
    },
  };
}
