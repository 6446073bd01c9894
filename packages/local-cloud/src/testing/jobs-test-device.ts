/**
 * Test helper (the Jobs MQTT and mosquitto tests, other workspaces' tests of jobs): a device
 * allowed exactly its own Jobs topics, through policy variables as AWS's example Jobs policies do,
 * provisioned as the API Service provisions one (thing, active certificate, policy, attachment);
 * and an mqtt.js connection that records what it receives and awaits replies.
 */
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import type { MqttClient } from 'mqtt';
import type { Device, Fixture } from './iot-fixture.ts';
import { connectTls, eventually } from './mqtt-test-client.ts';

export const jobsDevicePolicyName = 'jobs-test-device';

/** Connect as its thing; publish, subscribe and receive on its own `$aws/things/<thing>/jobs/...` topics only. */
export function jobsDevicePolicy(region: string, accountId: string) {
  const arn = (resource: string) => `arn:aws:iot:${region}:${accountId}:${resource}`;
  const own = '$aws/things/${iot:Connection.Thing.ThingName}/jobs';
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client/${iot:Connection.Thing.ThingName}') },
      { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: arn(`topic/${own}/*`) },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: arn(`topicfilter/${own}/*`) },
    ],
  };
}

export async function createJobsDevicePolicy(control: IoTClient, region: string, accountId: string): Promise<void> {
  await control.send(
    new CreatePolicyCommand({ policyName: jobsDevicePolicyName, policyDocument: JSON.stringify(jobsDevicePolicy(region, accountId)) }),
  );
}

export async function provisionJobsDevice(control: IoTClient, thingName: string): Promise<Device> {
  await control.send(new CreateThingCommand({ thingName }));
  const keys = await control.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  const certificateArn = keys.certificateArn as string;
  await control.send(new AttachPolicyCommand({ policyName: jobsDevicePolicyName, target: certificateArn }));
  await control.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn }));
  return {
    thingName,
    certificateArn,
    certificateId: keys.certificateId as string,
    certificatePem: keys.certificatePem as string,
    privateKeyPem: keys.keyPair?.PrivateKey as string,
  };
}

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
