/**
 * Test kit of the run-time rule tests: the IoT stand-in (iot-fixture.ts) with a rules engine that
 * runs the control plane's topic rules, as the launcher wires them, and MQTT clients with a
 * certificate whose policy allows everything.
 */
import { AttachPolicyCommand, CreateKeysAndCertificateCommand, CreatePolicyCommand } from '@aws-sdk/client-iot';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { allowAll } from '../iot/registry/registry-test-context.ts';
import { startFixture, type Fixture } from '../testing/iot-fixture.ts';
import { connectTls, type TlsIdentity } from '../testing/mqtt-test-client.ts';
import { createRulesEngine, type RulesEngine, type RulesEngineDeps } from './rules-engine.ts';

export const roleArn = 'arn:aws:iam::000000000000:role/rules';

export interface RunTimeRules {
  readonly fixture: Fixture;
  readonly engine: RulesEngine;
  /** A connected MQTT client with an allow-all policy. */
  client(clientId: string): Promise<MqttClient>;
  close(): Promise<void>;
}

export async function startRunTimeRules(extra: Partial<RulesEngineDeps> = {}): Promise<RunTimeRules> {
  const fixture = await startFixture();
  const { iot, control } = fixture;
  const unused = {} as never;
  const engine = createRulesEngine({
    source: iot.topicRules,
    httpDestinations: iot.topicRules,
    sqs: unused as SQSClient,
    cloudwatch: unused as CloudWatchClient,
    logs: unused as CloudWatchLogsClient,
    s3: unused as S3Client,
    sqsBatches: false,
    republish: (topic, payload, qos) => iot.publish(topic, payload, qos),
    log: pino({ level: 'silent' }),
    ...extra,
  });
  iot.onMessage((m) => engine.handle(m, { fromService: m.principal === undefined }));
  await control.send(new CreatePolicyCommand({ policyName: 'all', policyDocument: allowAll }));
  const keys = await control.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  await control.send(new AttachPolicyCommand({ policyName: 'all', target: keys.certificateArn }));
  const identity: TlsIdentity = { certificatePem: keys.certificatePem as string, privateKeyPem: keys.keyPair?.PrivateKey as string };
  const clients: MqttClient[] = [];
  return {
    fixture,
    engine,
    async client(clientId) {
      const c = await connectTls(iot.mqttPort, iot.caCertificatePem, identity, clientId);
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) await c.endAsync(true);
      await engine.drain();
      await fixture.close();
    },
  };
}

/** Collects the messages a client receives, as `topic payload` strings. */
export function received(client: MqttClient): string[] {
  const seen: string[] = [];
  client.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
  return seen;
}

/** Lets the broker and engine finish what is in flight, when a test asserts that nothing arrives. */
export const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));
