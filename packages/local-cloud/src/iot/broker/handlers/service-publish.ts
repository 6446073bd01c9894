/**
 * Messages the service publishes itself: lifecycle events, republish actions, the data plane's
 * Publish. They never pass `authorizePublish` (that is for clients), so aedes' `published` hook
 * hands them to the listeners, exactly once, and the publisher's promise settles with their
 * outcome. Client messages (wills included: aedes authorizes them too) reached the listeners in
 * authorize-publish.ts already, and a device's HTTPS publish in `publishAuthorized` below.
 */
import type { AedesPublishPacket, Client } from 'aedes';
import { messageOf, type BrokerState } from '../broker-state.ts';
import type { BrokerMessage } from '../message-listeners.ts';
import type { MessageOutcome } from '../publish-gate.ts';

/** aedes' `published` hook. */
export function published(state: BrokerState, packet: AedesPublishPacket, client: Client | null, done: (err?: Error | null) => void): void {
  if (client || packet.topic.startsWith('$SYS/') || state.deliveredToListeners.has(packet)) return done(null);
  void state.listeners.deliver(messageOf(state, packet, null)).then((outcome) => done(outcome.durable ? null : new Error(outcome.reason)));
}

/** Publishes as the service; resolves once the listeners made the message durable. */
export function publishAsService(state: BrokerState, topic: string, payload: Buffer, qos: 0 | 1): Promise<void> {
  const { aedes } = state;
  if (!aedes) return Promise.reject(new Error('the IoT broker is not created yet'));
  return new Promise((resolve, reject) => {
    aedes.publish({ cmd: 'publish', topic, payload, qos, retain: false, dup: false }, (err) => (err ? reject(err) : resolve()));
  });
}

/**
 * A device's publish that arrived outside MQTT (HTTPS) and was already authorized: the listeners
 * (the rules engine) first, as authorize-publish.ts does for an MQTT PUBLISH, then, once it is
 * durable, the subscribers. Resolves with the listeners' outcome: the caller acknowledges only a
 * durable message.
 */
export async function publishAuthorized(state: BrokerState, message: BrokerMessage): Promise<MessageOutcome> {
  const outcome = await state.listeners.deliver(message);
  const { aedes } = state;
  if (!outcome.durable || !aedes) return outcome;
  const packet = { cmd: 'publish' as const, topic: message.topic, payload: message.payload, qos: message.qos, retain: false, dup: false };
  state.deliveredToListeners.add(packet);
  await new Promise<void>((resolve) =>
    aedes.publish(packet, (err) => {
      // Durable already: a subscriber that cannot be reached does not undo the acknowledgement.
      if (err) state.log?.warn({ err, topic: message.topic }, 'iot broker: forwarding a published message to subscribers failed');
      resolve();
    }),
  );
  return outcome;
}
