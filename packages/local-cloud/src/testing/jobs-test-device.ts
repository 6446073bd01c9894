/**
 * Test helper (the Jobs MQTT tests, other workspaces' tests of jobs): an mqtt.js connection of a
 * provisioned device (`provisionDevice`, the fleet device policy) that records what it receives
 * and awaits replies.
 */
import type { MqttClient } from 'mqtt';
import type { Device, Fixture } from './iot-fixture.ts';
import { connectTls, eventually } from './mqtt-test-client.ts';

export interface JobsTestClient {
  readonly mqtt: MqttClient;
  /** Every message received, parsed. */
  readonly received: { topic: string; body: Record<string, unknown> }[];
  /** The first message received on `topic` after `from` (an index into `received`), waiting for it. */
  next(topic: string, from?: number): Promise<Record<string, unknown>>;
  /** Publishes a request (QoS 1: resolves on its PUBACK) and waits for its reply; `outcome` says which one. */
  request(topic: string, body: unknown): Promise<{ outcome: 'accepted' | 'rejected'; body: Record<string, unknown> }>;
}

export async function connectJobsClient(fixture: Fixture, device: Device): Promise<JobsTestClient> {
  const mqtt = await connectTls(fixture.iot.mqttPort, fixture.iot.caCertificatePem, device, device.thingName);
  const received: { topic: string; body: Record<string, unknown> }[] = [];
  mqtt.on('message', (topic, payload) => received.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
  const next = async (topic: string, from = 0) => {
    const found = () => received.slice(from).find((m) => m.topic === topic);
    await eventually(() => found() !== undefined, 5_000, topic);
    return (found() as { body: Record<string, unknown> }).body;
  };
  return {
    mqtt,
    received,
    next,
    async request(topic, body) {
      const from = received.length;
      await mqtt.publishAsync(topic, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });
      const reply = () => received.slice(from).find((m) => m.topic === `${topic}/accepted` || m.topic === `${topic}/rejected`);
      await eventually(() => reply() !== undefined, 5_000, `reply on ${topic}`);
      const { topic: replyTopic, body: replyBody } = reply() as { topic: string; body: Record<string, unknown> };
      return { outcome: replyTopic.endsWith('/accepted') ? 'accepted' : 'rejected', body: replyBody };
    },
  };
}
