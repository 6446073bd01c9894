/**
 * Delivery to a subscriber (aedes' `authorizeForward` hook): AWS IoT checks `iot:Receive` on
 * `topic/<topic>` for every message it delivers, so a policy change takes effect on the next
 * message. Decisions are cached per connection and topic for one registry revision (any registry
 * change bumps it), since this runs once per message and subscriber. Basic Ingest messages
 * (`$aws/rules/...`) reach their rule only: no subscriber receives them, as on AWS.
 */
import type { AedesPublishPacket, Client } from 'aedes';
import { evaluatePolicies } from '../../policy/policy-evaluator.ts';
import type { BrokerState } from '../broker-state.ts';
import { isBasicIngestTopic } from '../reserved-topics.ts';

/** Bounds the per-connection cache: a subscriber to `#` could otherwise remember every topic. */
const maxCachedTopics = 1000;

export function authorizeForward(state: BrokerState, client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
  if (isBasicIngestTopic(packet.topic)) return null;
  const { registry } = state;
  const session = state.sessions.get(client);
  if (!session) return null;
  if (session.receiveCacheRevision !== registry.revision) {
    session.receiveCache.clear();
    session.receiveCacheRevision = registry.revision;
  }
  let allowed = session.receiveCache.get(packet.topic);
  if (allowed === undefined) {
    allowed =
      evaluatePolicies(
        registry.policyDocumentsOf(session.principal),
        'iot:Receive',
        registry.arn('topic', packet.topic),
        session.context,
      ) === 'allow';
    if (session.receiveCache.size > maxCachedTopics) session.receiveCache.clear();
    session.receiveCache.set(packet.topic, allowed);
  }
  return allowed ? packet : null;
}
