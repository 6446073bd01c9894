/**
 * AWS's own device SDK (aws-iot-device-sdk-v2, its generated `IotIdentityClient`) provisions by claim
 * against the IoT stand-in unchanged, as the SDK's fleet provisioning sample does: connect with the
 * claim certificate, CreateKeysAndCertificate, RegisterThing with the serial number, then connect as
 * the new thing with the new certificate.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { claimThingName, fleetProvisioningTemplateName, topics } from '@fleet/core';
import { iot, iotidentity, mqtt } from 'aws-iot-device-sdk-v2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureFleetProvisioning } from '../../launcher/fleet-provisioning-setup.ts';
import { accountId, createFleetPolicies, region, startFixture, type Fixture } from '../../testing/iot-fixture.ts';

let fixture: Fixture;
const connections: mqtt.MqttClientConnection[] = [];

beforeAll(async () => {
  fixture = await startFixture();
  await createFleetPolicies(fixture.control);
});
afterAll(async () => {
  for (const c of connections) await c.disconnect();
  await fixture?.close();
});

async function connect(certificatePem: string, privateKeyPem: string, clientId: string): Promise<mqtt.MqttClientConnection> {
  const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(certificatePem, privateKeyPem)
    .with_certificate_authority(fixture.iot.caCertificatePem)
    .with_client_id(clientId)
    .with_clean_session(true)
    .with_endpoint('127.0.0.1')
    .with_port(fixture.iot.mqttPort)
    .build();
  const connection = new mqtt.MqttClient().new_connection(config);
  await connection.connect();
  connections.push(connection);
  return connection;
}

/** The first answer of a subscription, or its rejection document as an error. */
function answer<T>(
  accepted: (handler: (error?: unknown, response?: T) => void) => Promise<unknown>,
  rejected: (handler: (error?: unknown, response?: iotidentity.model.ErrorResponse) => void) => Promise<unknown>,
): { subscribed: Promise<unknown>; value: Promise<T> } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const value = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  const subscribed = Promise.all([
    accepted((error, response) => (error ? reject(error) : resolve(response as T))),
    rejected((error, response) => reject(error ?? new Error(JSON.stringify(response)))),
  ]);
  return { subscribed, value };
}

it('IotIdentityClient creates keys and registers the thing; the device then connects and publishes as it', async () => {
  const claim = await ensureFleetProvisioning(fixture.control, { region, accountId, claimDir: join(fixture.dataDir, 'claim') });
  const claimConnection = await connect(
    await readFile(claim.certificateFile, 'utf8'),
    await readFile(claim.privateKeyFile, 'utf8'),
    'sdk-factory',
  );
  const identity = new iotidentity.IotIdentityClient(claimConnection);
  const qos = mqtt.QoS.AtLeastOnce;

  const keys = answer<iotidentity.model.CreateKeysAndCertificateResponse>(
    (h) => identity.subscribeToCreateKeysAndCertificateAccepted({}, qos, h),
    (h) => identity.subscribeToCreateKeysAndCertificateRejected({}, qos, h),
  );
  await keys.subscribed;
  await identity.publishCreateKeysAndCertificate({}, qos);
  const created = await keys.value;
  expect(created.certificateOwnershipToken).toBeTruthy();

  const templateName = fleetProvisioningTemplateName;
  const registered = answer<iotidentity.model.RegisterThingResponse>(
    (h) => identity.subscribeToRegisterThingAccepted({ templateName }, qos, h),
    (h) => identity.subscribeToRegisterThingRejected({ templateName }, qos, h),
  );
  await registered.subscribed;
  await identity.publishRegisterThing(
    { templateName, certificateOwnershipToken: created.certificateOwnershipToken, parameters: { SerialNumber: 'SDK-1' } },
    qos,
  );
  const thingName = claimThingName('SDK-1');
  expect(await registered.value).toEqual({ thingName, deviceConfiguration: { telemetryTopic: topics.telemetry(thingName) } });

  const device = await connect(created.certificatePem as string, created.privateKey as string, thingName);
  await device.publish(topics.telemetry(thingName), JSON.stringify({ ts: Date.now(), seq: 1, temperature: 21 }), qos);
  expect(fixture.messages.some((m) => m.clientId === thingName && m.topic === topics.telemetry(thingName))).toBe(true);
});
