/**
 * Test kit of the shadow tests: an inbox of what a device receives. Devices carry the fleet's own
 * device policy (core's `devicePolicyDocument`, through `createFleetPolicies` / `provisionDevice`),
 * which grants a thing its own shadow topics with `${iot:Connection.Thing.ThingName}`.
 */
import type { MqttClient } from 'mqtt';
import { eventually } from '../../testing/mqtt-test-client.ts';

/** Records what a client receives and waits for a message on a topic. */
export function inbox(client: MqttClient) {
  const received: { topic: string; document: Record<string, unknown> }[] = [];
  client.on('message', (topic, payload) => received.push({ topic, document: JSON.parse(payload.toString()) as Record<string, unknown> }));
  const on = (topic: string) => received.filter((m) => m.topic === topic).map((m) => m.document);
  return {
    on,
    /** The `n`-th (1-based) message on `topic`, once it arrived. */
    async nth(topic: string, n = 1): Promise<Record<string, unknown>> {
      await eventually(() => on(topic).length >= n, 5_000, `message ${n} on ${topic}`);
      return on(topic)[n - 1] as Record<string, unknown>;
    },
  };
}
