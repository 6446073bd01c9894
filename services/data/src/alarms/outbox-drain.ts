/**
 * The periodic pass over the outbox: writes the pending events of states a writer left behind
 * (a crash between its state write and its event writes) and publishes the notifications that
 * are still there (a crash, an SNS failure). Safe with several tasks: every step is idempotent.
 */
import type { Logger } from 'pino';
import type { AlarmStateStore } from './alarm-state-store.ts';
import type { EventStore } from './event-store.ts';
import type { Notifier } from './notifier.ts';
import type { Outbox } from './outbox.ts';
import type { TransitionWriter } from './transition-writer.ts';

export interface OutboxDrain {
  /** One pass; resolves with how many notifications were published. */
  drain(): Promise<number>;
}

/**
 * An entry younger than this may belong to a transition in flight in another task (between its
 * marker and its state write, or before its own Publish): it is left for a later pass.
 */
export const markerGraceMs = 30_000;

export function createOutboxDrain(deps: {
  outbox: Outbox;
  states: Pick<AlarmStateStore, 'get'>;
  events: Pick<EventStore, 'isPublished'>;
  writer: Pick<TransitionWriter, 'settle'>;
  notifier: Notifier;
  logger: Logger;
  now?: () => number;
  batch?: number;
}): OutboxDrain {
  const { outbox, states, writer, notifier, logger } = deps;
  const now = deps.now ?? Date.now;
  return {
    async drain() {
      let published = 0;
      for (const entry of await outbox.list(deps.batch ?? 100)) {
        // An entry this young may belong to a writer still at work: it publishes (or settles) it itself.
        if (now() - entry.markedAt < markerGraceMs) continue;
        try {
          if (entry.kind === 'notification') {
            // A writer that raced with a settler may have put an entry again after it was published.
            if (await deps.events.isPublished(entry.event)) {
              await outbox.deleteNotification(entry.event.eventId);
              continue;
            }
            const [ok] = await notifier.publish([entry.event]);
            if (ok) published++;
            continue;
          }
          const stored = await states.get(entry.definitionId, entry.deviceId);
          if (stored) await writer.settle(stored);
          await outbox.deleteStateCheck(entry.definitionId, entry.deviceId, entry.token);
        } catch (err) {
          logger.warn({ err, entry: entry.kind }, 'alarm outbox entry left for the next pass');
        }
      }
      return published;
    },
  };
}
