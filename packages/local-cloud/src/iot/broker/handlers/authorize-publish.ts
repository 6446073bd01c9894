/**
 * PUBLISH from a client (aedes' `authorizePublish` hook), the ingest hot path. A publish is
 * refused, and the connection closed as AWS IoT does on MQTT 3.1.1, when it targets a reserved
 * topic other than a service's request topic (reserved-topics.ts), asks QoS 2, exceeds the 128 KB payload or the per-connection rate, or the principal's
 * policies do not allow `iot:Publish` on `topic/<topic>`
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-policies.html). An accepted publish
 * goes to the listeners (the rules engine) here, the last point before aedes writes the PUBACK;
 * the publish gate releases aedes' callback once it is durable (publish-gate.ts).
 */
import type { Client, PublishPacket } from 'aedes';
import { maxPayloadBytes } from '../../control-plane/data-plane-handler.ts';
import { evaluatePolicies } from '../../policy/policy-evaluator.ts';
import { messageOf, noteDisconnectReason, type BrokerState } from '../broker-state.ts';
import { clientMayPublishReserved } from '../reserved-topics.ts';
import type { DisconnectReason } from '../presence-events.ts';

export interface PublishRefusal {
  readonly reason: DisconnectReason;
  readonly message: string;
}

export function authorizePublish(
  state: BrokerState,
  client: Client | null,
  packet: PublishPacket,
  callback: (err: Error | null) => void,
): void {
  if (!client) return callback(null);
  const refusal = publishRefusal(state, client, packet);
  if (refusal) {
    noteDisconnectReason(state, client, refusal.reason);
    state.log?.info(
      { clientId: client.id, topic: packet.topic, reason: refusal.reason },
      `iot broker: publish refused: ${refusal.message}`,
    );
    // aedes closes the connection on an error here, as AWS IoT does on MQTT 3.1.1.
    return callback(new Error(refusal.message));
  }
  state.gate.admit(client, packet.qos, () => state.listeners.deliver(messageOf(state, packet, client)), callback);
}

/** Why AWS IoT would refuse this publish, or undefined when it is allowed. Takes one token of the rate limit. */
export function publishRefusal(state: BrokerState, client: Client, packet: PublishPacket): PublishRefusal | undefined {
  const session = state.sessions.get(client);
  if (!session) return { reason: 'AUTH_ERROR', message: 'no authenticated session' };
  // Reserved topics ($aws/..., and $SYS here) are published by the service, but for the request topics of its services.
  if (packet.topic.startsWith('$') && !clientMayPublishReserved(packet.topic)) {
    return { reason: 'AUTH_ERROR', message: `${packet.topic} is a reserved topic` };
  }
  if (packet.qos > 1) return { reason: 'CLIENT_ERROR', message: 'AWS IoT does not support QoS 2' };
  const size = typeof packet.payload === 'string' ? Buffer.byteLength(packet.payload) : packet.payload.length;
  if (size > maxPayloadBytes) return { reason: 'CLIENT_ERROR', message: `payload of ${size} bytes exceeds ${maxPayloadBytes}` };
  if (session.limiter && !session.limiter.tryTake(Date.now())) {
    return { reason: 'THROTTLED', message: `more than ${state.maxPublishesPerSecond} publishes per second on this connection` };
  }
  const { registry } = state;
  const decision = evaluatePolicies(
    registry.policyDocumentsOf(session.principal),
    'iot:Publish',
    registry.arn('topic', packet.topic),
    session.context,
  );
  if (decision !== 'allow') return { reason: 'AUTH_ERROR', message: `iot:Publish on ${packet.topic}: ${decision}` };
  return undefined;
}
