/**
 * SUBSCRIBE (aedes' `authorizeSubscribe` hook): each filter needs `iot:Subscribe` on
 * `topicfilter/<filter>` in the principal's policies; a refused filter is granted 0x80 and the
 * others stay (MQTT 3.1.1 §3.9.3, as AWS IoT answers). `$share/...` is refused: aedes accepts it
 * but delivers nothing (NOTES.md). QoS 2 requests were already lowered to 1 (subscription-qos-cap.ts).
 */
import type { Client, Subscription } from 'aedes';
import { evaluatePolicies } from '../../policy/policy-evaluator.ts';
import type { BrokerState } from '../broker-state.ts';

export function authorizeSubscribe(
  state: BrokerState,
  client: Client,
  subscription: Subscription,
  callback: (error: Error | null, subscription?: Subscription | null) => void,
): void {
  const { registry } = state;
  const session = state.sessions.get(client);
  const filter = subscription.topic;
  const allowed =
    session !== undefined &&
    !filter.startsWith('$share/') &&
    evaluatePolicies(
      registry.policyDocumentsOf(session.principal),
      'iot:Subscribe',
      registry.arn('topicfilter', filter),
      session.context,
    ) === 'allow';
  if (!allowed) {
    state.log?.info({ clientId: client.id, filter }, 'iot broker: subscription refused (granted 0x80)');
    return callback(null, null);
  }
  callback(null, subscription);
}
