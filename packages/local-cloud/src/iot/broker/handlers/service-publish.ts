/**
 * Messages the service publishes itself: lifecycle events, republish actions, the data plane's
 * Publish. They never pass `authorizePublish` (that is for clients), so aedes' `published` hook
 * hands them to the listeners, exactly once, and the publisher's promise settles with their
 * outcome. Client messages (wills included: aedes authorizes them too) reached the listeners in
 * authorize-publish.ts already.
 */
import type { AedesPublishPacket, Client } from 'aedes';
import { messageOf, type BrokerState } from '../broker-state.ts';

/** aedes' `published` hook. */
export function published(state: BrokerState, packet: AedesPublishPacket, client: Client | null, done: (err?: Error | null) => void): void {
  if (client || packet.topic.startsWith('$SYS/')) return done(null);
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
