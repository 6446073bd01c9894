/**
 * Fleet provisioning by claim over MQTT with mqtt.js as the device: the claim certificate and
 * template the launcher sets up, CreateKeysAndCertificate and CreateCertificateFromCsr, RegisterThing
 * with its accepted and rejected replies (bad, reused and missing tokens, a missing parameter, a
 * disabled template, a pre-provisioning hook's refusal), the provisioned device publishing with its
 * new certificate, and a claim certificate that can do nothing else.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeCertificateCommand, DescribeThingCommand, UpdateProvisioningTemplateCommand } from '@aws-sdk/client-iot';
import {
  claimThingName,
  fleetProvisioningTemplateName,
  provisioningTopics,
  topics,
  type CreateKeysAndCertificateResponse,
  type RegisterThingResponse,
} from '@fleet/core';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureFleetProvisioning, type ClaimCredentials } from '../../launcher/fleet-provisioning-setup.ts';
import { accountId, createFleetPolicies, region, startFixture, type Fixture } from '../../testing/iot-fixture.ts';
import { closed, connectTls, eventually, subscribeGranted, type TlsIdentity } from '../../testing/mqtt-test-client.ts';
import type { HookAnswer } from './register-thing.ts';

let fixture: Fixture;
let claim: TlsIdentity;
let credentials: ClaimCredentials;
const hookAnswers: HookAnswer[] = [];
const hookRequests: Record<string, unknown>[] = [];
const open: MqttClient[] = [];
const registerTopic = provisioningTopics.registerThing(fleetProvisioningTemplateName);

beforeAll(async () => {
  fixture = await startFixture({
    callProvisioningHook: async (_url, request) => {
      hookRequests.push(request as Record<string, unknown>);
      return hookAnswers.shift() ?? { allowProvisioning: true };
    },
  });
  await createFleetPolicies(fixture.control);
  credentials = await ensureFleetProvisioning(fixture.control, { region, accountId, claimDir: join(fixture.dataDir, 'claim') });
  claim = {
    certificatePem: await readFile(credentials.certificateFile, 'utf8'),
    privateKeyPem: await readFile(credentials.privateKeyFile, 'utf8'),
  };
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.endAsync(true)));
});
afterAll(async () => {
  await fixture.close();
});

interface Requester {
  readonly mqtt: MqttClient;
  request(topic: string, body: unknown): Promise<{ outcome: 'accepted' | 'rejected'; body: Record<string, unknown> }>;
}

async function connect(identity: TlsIdentity, clientId: string): Promise<Requester> {
  const mqtt = await connectTls(fixture.iot.mqttPort, fixture.iot.caCertificatePem, identity, clientId);
  open.push(mqtt);
  const received: { topic: string; body: Record<string, unknown> }[] = [];
  mqtt.on('message', (topic, payload) => received.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
  return {
    mqtt,
    async request(topic, body) {
      // AWS: subscribe to the replies before publishing the request.
      expect(await subscribeGranted(mqtt, `${topic}/+`)).toEqual([1]);
      const from = received.length;
      await mqtt.publishAsync(topic, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });
      const reply = () => received.slice(from).find((m) => m.topic === `${topic}/accepted` || m.topic === `${topic}/rejected`);
      await eventually(() => reply() !== undefined, 10_000, `reply on ${topic}`);
      const { topic: replyTopic, body: replyBody } = reply() as { topic: string; body: Record<string, unknown> };
      return { outcome: replyTopic.endsWith('/accepted') ? 'accepted' : 'rejected', body: replyBody };
    },
  };
}

async function createKeys(device: Requester): Promise<CreateKeysAndCertificateResponse> {
  const created = await device.request(provisioningTopics.createKeys, {});
  expect(created.outcome).toBe('accepted');
  return created.body as unknown as CreateKeysAndCertificateResponse;
}

describe('fleet provisioning by claim over MQTT', () => {
  it('creates keys, registers the thing, and the device publishes with its new certificate', async () => {
    const device = await connect(claim, 'factory-1');
    const keys = await createKeys(device);
    expect(Object.keys(keys).sort()).toEqual(['certificateId', 'certificateOwnershipToken', 'certificatePem', 'privateKey']);
    const pending = await fixture.control.send(new DescribeCertificateCommand({ certificateId: keys.certificateId }));
    expect(pending.certificateDescription?.status).toBe('PENDING_ACTIVATION');

    const registered = await device.request(registerTopic, {
      certificateOwnershipToken: keys.certificateOwnershipToken,
      parameters: { SerialNumber: 'SN-0001' },
    });
    const thingName = claimThingName('SN-0001');
    expect(registered).toEqual({
      outcome: 'accepted',
      body: { thingName, deviceConfiguration: { telemetryTopic: topics.telemetry(thingName) } } satisfies RegisterThingResponse,
    });
    const thing = await fixture.control.send(new DescribeThingCommand({ thingName }));
    expect(thing.attributes).toEqual({ serialNumber: 'SN-0001', provisionedBy: 'claim' });
    const active = await fixture.control.send(new DescribeCertificateCommand({ certificateId: keys.certificateId }));
    expect(active.certificateDescription?.status).toBe('ACTIVE');

    const provisioned = await connectTls(
      fixture.iot.mqttPort,
      fixture.iot.caCertificatePem,
      { certificatePem: keys.certificatePem, privateKeyPem: keys.privateKey },
      thingName,
    );
    open.push(provisioned);
    await provisioned.publishAsync(topics.telemetry(thingName), JSON.stringify({ ts: Date.now(), seq: 1, temperature: 20 }), { qos: 1 });
    expect(fixture.messages.some((m) => m.topic === topics.telemetry(thingName) && m.clientId === thingName)).toBe(true);
  });

  it('signs a CSR; the device registers with the key it kept', async () => {
    const run = promisify(execFile);
    const keyFile = join(fixture.dataDir, 'device-key.pem');
    await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile]);
    const { stdout: csr } = await run('openssl', ['req', '-new', '-key', keyFile, '-subj', '/CN=SN-0002']);
    const device = await connect(claim, 'factory-2');
    const created = await device.request(provisioningTopics.createFromCsr, { certificateSigningRequest: csr });
    expect(created.outcome).toBe('accepted');
    expect(Object.keys(created.body).sort()).toEqual(['certificateId', 'certificateOwnershipToken', 'certificatePem']);
    const registered = await device.request(registerTopic, {
      certificateOwnershipToken: created.body.certificateOwnershipToken,
      parameters: { SerialNumber: 'SN-0002' },
    });
    expect(registered.body.thingName).toBe(claimThingName('SN-0002'));
    const provisioned = await connectTls(
      fixture.iot.mqttPort,
      fixture.iot.caCertificatePem,
      { certificatePem: created.body.certificatePem as string, privateKeyPem: await readFile(keyFile, 'utf8') },
      claimThingName('SN-0002'),
    );
    open.push(provisioned);

    const bad = await device.request(provisioningTopics.createFromCsr, { certificateSigningRequest: 'not a CSR' });
    expect(bad).toMatchObject({ outcome: 'rejected', body: { statusCode: 400, errorCode: 'InvalidCsr' } });
  });

  it("rejects empty, unknown and reused tokens and a missing parameter with AWS's error document", async () => {
    const device = await connect(claim, 'factory-3');
    const reject = (body: unknown) => device.request(registerTopic, body);
    expect(await reject({ parameters: { SerialNumber: 'SN-0003' } })).toEqual({
      outcome: 'rejected',
      body: {
        statusCode: 400,
        errorCode: 'InvalidCertificateOwnershipToken',
        errorMessage: 'Certificate ownership token cannot be empty.',
      },
    });
    expect(await reject({ certificateOwnershipToken: 'forged', parameters: { SerialNumber: 'SN-0003' } })).toMatchObject({
      outcome: 'rejected',
      body: { statusCode: 400, errorCode: 'InvalidCertificateOwnershipToken' },
    });
    expect(await reject('{not json')).toMatchObject({ outcome: 'rejected', body: { statusCode: 400, errorCode: 'InvalidPayload' } });

    const keys = await createKeys(device);
    const missing = await reject({ certificateOwnershipToken: keys.certificateOwnershipToken, parameters: {} });
    expect(missing).toEqual({
      outcome: 'rejected',
      body: { statusCode: 400, errorCode: 'InvalidParameters', errorMessage: 'Missing required parameter: SerialNumber' },
    });
    // A refused RegisterThing leaves the token usable; a successful one spends it.
    const request = { certificateOwnershipToken: keys.certificateOwnershipToken, parameters: { SerialNumber: 'SN-0003' } };
    expect((await reject(request)).outcome).toBe('accepted');
    expect(await reject(request)).toMatchObject({ outcome: 'rejected', body: { errorCode: 'InvalidCertificateOwnershipToken' } });
  });

  it('refuses a disabled template and follows the pre-provisioning hook', async () => {
    const device = await connect(claim, 'factory-4');
    const keys = await createKeys(device);
    const request = { certificateOwnershipToken: keys.certificateOwnershipToken, parameters: { SerialNumber: 'SN-0004' } };
    await fixture.control.send(new UpdateProvisioningTemplateCommand({ templateName: fleetProvisioningTemplateName, enabled: false }));
    expect(await device.request(registerTopic, request)).toMatchObject({
      outcome: 'rejected',
      body: { statusCode: 403, errorCode: 'AccessDenied' },
    });
    await fixture.control.send(
      new UpdateProvisioningTemplateCommand({
        templateName: fleetProvisioningTemplateName,
        enabled: true,
        preProvisioningHook: { targetArn: 'http://127.0.0.1:9/hook' },
      }),
    );
    try {
      hookAnswers.push({ allowProvisioning: false });
      expect(await device.request(registerTopic, request)).toMatchObject({ outcome: 'rejected', body: { errorCode: 'AccessDenied' } });
      expect(hookRequests.at(-1)).toMatchObject({
        certificateId: keys.certificateId,
        clientId: 'factory-4',
        parameters: { SerialNumber: 'SN-0004' },
      });
      hookAnswers.push({ allowProvisioning: true, parameterOverrides: { SerialNumber: 'SN-0004-B' } });
      expect(await device.request(registerTopic, request)).toMatchObject({
        outcome: 'accepted',
        body: { thingName: claimThingName('SN-0004-B') },
      });
    } finally {
      await fixture.control.send(
        new UpdateProvisioningTemplateCommand({ templateName: fleetProvisioningTemplateName, removePreProvisioningHook: true }),
      );
    }
  });

  it('closes the connection of a claim certificate that publishes elsewhere, and grants it no other subscription', async () => {
    const device = await connect(claim, 'factory-5');
    expect(await subscribeGranted(device.mqtt, topics.telemetryFilter)).toEqual([128]);
    expect(await subscribeGranted(device.mqtt, provisioningTopics.registerThing('other-template'))).toEqual([128]);
    const gone = closed(device.mqtt);
    device.mqtt.publish(topics.telemetry('fleet-SN-0001'), JSON.stringify({ ts: Date.now(), seq: 1, temperature: 1 }), { qos: 1 });
    await gone;
    expect(fixture.messages.some((m) => m.clientId === 'factory-5' && m.topic.startsWith('fleet/'))).toBe(false);
  });
});
