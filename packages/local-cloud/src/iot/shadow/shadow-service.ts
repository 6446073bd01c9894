/**
 * The Device Shadow service of the local cloud: the pure operations of shadow-engine.ts on the
 * durable store, one at a time per (thing, shadow) so versions never race, and the MQTT messages
 * AWS IoT publishes for an accepted change (`/update/accepted`, `/update/delta`, `/update/documents`,
 * `/delete/accepted`), whichever side asked: a device over MQTT or a client of the HTTP data plane.
 *
 * An accepted change is stored (fsync'ed) before anything is published or answered. The publishes
 * go through the broker, so subscribers get them under their `iot:Receive` policy and the rules
 * engine sees them (a rule can select from `$aws/things/+/shadow/update/documents`); a publish that
 * fails after the change is stored is logged: the change stands, as on AWS.
 */
import {
  shadowTopic,
  type ShadowDocument,
  type ShadowUpdateAccepted,
  type ShadowDeleteAccepted,
  type ShadowUpdateRequest,
} from '@fleet/core';
import type { Logger } from 'pino';
import { deleteShadow, getShadow, isLiveShadow, updateShadow } from './shadow-engine.ts';
import { isRejection, type ShadowRejection } from './shadow-request.ts';
import type { ShadowStore } from './shadow-store.ts';

export interface ShadowServiceDeps {
  readonly store: ShadowStore;
  /** Publishes as the service (the broker's `publish`), at QoS 1. */
  readonly publish: (topic: string, payload: string) => Promise<void>;
  readonly now?: () => number;
  readonly log?: Logger;
}

export interface ShadowService {
  get(thingName: string, shadowName: string | undefined, clientToken?: string): Promise<ShadowDocument | ShadowRejection>;
  /** Stores an accepted update, then publishes its accepted, delta and documents messages. */
  update(thingName: string, shadowName: string | undefined, request: ShadowUpdateRequest): Promise<ShadowUpdateAccepted | ShadowRejection>;
  /** Deletes a shadow (keeping its version), then publishes `/delete/accepted`. */
  delete(thingName: string, shadowName: string | undefined, clientToken?: string): Promise<ShadowDeleteAccepted | ShadowRejection>;
  /** Names of the thing's named shadows, in name order. */
  listNamed(thingName: string): Promise<string[]>;
}

export function createShadowService(deps: ShadowServiceDeps): ShadowService {
  const { store, log } = deps;
  const now = deps.now ?? Date.now;
  /** Per (thing, shadow), the end of the last operation queued on it. */
  const tails = new Map<string, Promise<unknown>>();

  function serialized<T>(thingName: string, shadowName: string | undefined, work: () => Promise<T>): Promise<T> {
    const key = `${thingName}!${shadowName ?? ''}`;
    const run = (tails.get(key) ?? Promise.resolve()).then(work);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  }

  async function publishAll(messages: readonly (readonly [string, unknown])[]): Promise<void> {
    for (const [topic, document] of messages) {
      try {
        await deps.publish(topic, JSON.stringify(document));
      } catch (err) {
        log?.error({ err, topic }, 'shadow: change stored, but its message could not be published');
      }
    }
  }

  /** The name AWS quotes in "No shadow exists with name": the shadow's, or the thing's for the classic shadow. */
  const displayName = (thingName: string, shadowName: string | undefined) => shadowName ?? thingName;

  return {
    async get(thingName, shadowName, clientToken) {
      return getShadow(await store.get(thingName, shadowName), displayName(thingName, shadowName), clientToken, now());
    },

    update(thingName, shadowName, request) {
      return serialized(thingName, shadowName, async () => {
        const outcome = updateShadow(await store.get(thingName, shadowName), request, now());
        if (isRejection(outcome)) return outcome;
        await store.put(thingName, shadowName, outcome.stored);
        const topic = (suffix: 'accepted' | 'delta' | 'documents') => shadowTopic(thingName, shadowName, 'update', suffix);
        await publishAll([
          [topic('accepted'), outcome.accepted],
          ...(outcome.delta ? [[topic('delta'), outcome.delta] as const] : []),
          [topic('documents'), outcome.documents],
        ]);
        return outcome.accepted;
      });
    },

    delete(thingName, shadowName, clientToken) {
      return serialized(thingName, shadowName, async () => {
        const outcome = deleteShadow(await store.get(thingName, shadowName), displayName(thingName, shadowName), clientToken, now());
        if (isRejection(outcome)) return outcome;
        await store.put(thingName, shadowName, outcome.stored);
        await publishAll([[shadowTopic(thingName, shadowName, 'delete', 'accepted'), outcome.accepted]]);
        return outcome.accepted;
      });
    },

    async listNamed(thingName) {
      return (await store.named(thingName)).filter(({ shadow }) => isLiveShadow(shadow)).map(({ name }) => name);
    },
  };
}
