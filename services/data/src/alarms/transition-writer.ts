/**
 * Makes a transition of one device's alarm durable exactly once, without transactions (dynalite
 * has no TransactWriteItems). The write order:
 *
 * 1. settle what a previous writer left pending (below), then decide on the state as read;
 * 2. put an outbox marker `state#<definitionId>#<deviceId>` (only when there are events);
 * 3. write the state with a condition on the version read, carrying the events as `pending`:
 *    the transition and its events are one single-item write, atomic in DynamoDB. A writer that
 *    lost the race (another task, a redelivery) writes nothing, reads again and decides again:
 *    its readings are then at or before the state's last (ts, seq) and decide nothing;
 * 4. write each event item (`attribute_not_exists` on its deterministic key) and its outbox
 *    notification, then remove `pending` (if the version is still ours and it is still there) and
 *    the marker;
 * 5. the one writer whose removal of `pending` succeeded publishes the notifications
 *    (notifier.ts), marking each event published; what fails stays in the outbox for the drain,
 *    which drops an entry whose event is already marked published.
 *
 * A crash after 3 leaves `pending` in the state: the next writer of that state (a redelivered
 * message, the sweep, a user action) settles it first, and the drain does from the marker. Step 4
 * is idempotent, so settling twice writes each event once. Hence one event per transition, and
 * at least one notification per event (SNS subscribers drop repeats by `eventId`).
 */
import { randomUUID } from 'node:crypto';
import type { AlarmEvent } from '@fleet/core';
import type { AlarmStateStore, StoredAlarmState } from './alarm-state-store.ts';
import type { DeviceAlarmState } from './evaluate.ts';
import type { EventStore } from './event-store.ts';
import type { Notifier } from './notifier.ts';
import type { Outbox } from './outbox.ts';

export type Decision =
  | { readonly ok: true; readonly state: DeviceAlarmState; readonly events: readonly AlarmEvent[] }
  | { readonly ok: false; readonly code: 'AlarmNotFound' | 'AlarmStateConflict'; readonly message: string };

export interface TransitionWriter {
  /**
   * Decides on the current state and writes the outcome; decides again on the newer state when
   * another writer came first. `known` is the state already read (`null`: known to be absent).
   */
  apply(
    definitionId: string,
    deviceId: string,
    decide: (current: DeviceAlarmState | undefined) => Decision,
    known?: StoredAlarmState | null,
  ): Promise<Decision>;
  /** Writes the pending events of a stored state and forgets them (idempotent). */
  settle(stored: StoredAlarmState): Promise<void>;
}

/** Writers of one state rarely race; this many lost races in a row means something is wrong. */
const maxAttempts = 8;

export function createTransitionWriter(deps: {
  states: AlarmStateStore;
  events: Pick<EventStore, 'put'>;
  outbox: Pick<Outbox, 'putNotification' | 'putStateCheck' | 'deleteStateCheck'>;
  notifier: Notifier;
}): TransitionWriter {
  const { states, events, outbox, notifier } = deps;

  async function writeEvents(pending: readonly AlarmEvent[]) {
    for (const event of pending) {
      await events.put(event);
      await outbox.putNotification(event);
    }
  }

  /** Writes pending events; the one writer that then removes them publishes them (no race publishes twice). */
  async function finish(definitionId: string, deviceId: string, version: number, pending: readonly AlarmEvent[]) {
    await writeEvents(pending);
    if (await states.clearPending(definitionId, deviceId, version)) await notifier.publish(pending);
  }

  async function settle(stored: StoredAlarmState) {
    if (stored.pending.length > 0) await finish(stored.definitionId, stored.deviceId, stored.version, stored.pending);
  }

  return {
    settle,
    async apply(definitionId, deviceId, decide, known) {
      let current = known === undefined ? await states.get(definitionId, deviceId) : (known ?? undefined);
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        if (current) await settle(current);
        const decision = decide(current?.state);
        if (!decision.ok) return decision;
        const unchanged = decision.events.length === 0 && JSON.stringify(decision.state) === JSON.stringify(current?.state);
        if (unchanged) return decision;
        const token = randomUUID();
        if (decision.events.length > 0) await outbox.putStateCheck(definitionId, deviceId, token);
        const won = await states.put(definitionId, deviceId, decision.state, current?.version, decision.events);
        if (!won) {
          current = await states.get(definitionId, deviceId);
          continue;
        }
        if (decision.events.length > 0) {
          await finish(definitionId, deviceId, (current?.version ?? 0) + 1, decision.events);
          await outbox.deleteStateCheck(definitionId, deviceId, token);
        }
        return decision;
      }
      throw new Error(`alarm state ${definitionId}/${deviceId}: lost the race ${maxAttempts} times in a row`);
    },
  };
}
