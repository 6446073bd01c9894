/**
 * Test kit of the shadow tests: a device policy granting a thing its own shadow topics, as AWS's
 * example policies do with `${iot:Connection.Thing.ThingName}` (the product's device policy is
 * core's; these tests do not depend on it), and a provisioned device carrying it.
 */
import { AttachPolicyCommand, CreatePolicyCommand, type IoTClient } from '@aws-sdk/client-iot';
import type { MqttClient } from 'mqtt';
import { accountId, createFleetPolicies, provisionDevice, region, type Device } from '../../testing/iot-fixture.ts';
import { eventually } from '../../testing/mqtt-test-client.ts';

export const shadowPolicyName = 'shadow-test-device';

export function shadowPolicyDocument() {
  const arn = (kind: string) => `arn:aws:iot:${region}:${accountId}:${kind}/$aws/things/\${iot:Connection.Thing.ThingName}/shadow/*`;
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Publish', Resource: arn('topic') },
      { Effect: 'Allow', Action: 'iot:Receive', Resource: arn('topic') },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: arn('topicfilter') },
    ],
  };
}

/** Creates the fleet policies and the shadow policy; run once per stand-in. */
export async function createShadowPolicies(control: IoTClient): Promise<void> {
  await createFleetPolicies(control);
  await control.send(new CreatePolicyCommand({ policyName: shadowPolicyName, policyDocument: JSON.stringify(shadowPolicyDocument()) }));
}

/** A device provisioned as the API service does, plus the shadow policy. */
export async function provisionShadowDevice(control: IoTClient, thingName: string): Promise<Device> {
  const device = await provisionDevice(control, thingName);
  await control.send(new AttachPolicyCommand({ policyName: shadowPolicyName, target: device.certificateArn }));
  return device;
}

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
