/**
 * A certificate whose subject's common name is the device id, the only kind Fleet's device policy
 * lets publish over HTTPS (AWS IoT resolves no thing variable there). The API registers devices
 * with CreateKeysAndCertificate ("AWS IoT Certificate"), so the tests make one the way an operator
 * with AWS access would: a CSR with CN=<deviceId> made by openssl, signed through the AWS port
 * (CreateCertificateFromCsr via @aws-sdk/client-iot, the local cloud's root credentials), given the
 * device policy and attached to the device's thing. Local only.
 */
import { rm } from 'node:fs/promises';
import { AttachPolicyCommand, AttachThingPrincipalCommand, CreateCertificateFromCsrCommand, IoTClient } from '@aws-sdk/client-iot';
import { opensslCsr } from '@fleet/local-cloud/testing';
import type { RegisteredDevice } from '@fleet/simulator';
import type { FleetUnderTest } from './platform-process.ts';

/** `device` with a second certificate, CN=<deviceId>, and its key in place of the API's. */
/** A registered device whose credentials hold the private key the test made. */
export type DeviceWithKey = RegisteredDevice & { readonly credentials: RegisteredDevice['credentials'] & { readonly privateKey: string } };

export async function withCommonNameCertificate(platform: FleetUnderTest, device: RegisteredDevice): Promise<DeviceWithKey> {
  const { endpoints } = platform;
  if (endpoints.awsEndpoint === undefined || endpoints.devicePolicyName === undefined) {
    throw new Error('a CN=<deviceId> certificate is made through the local AWS port: local platform only');
  }
  const credentials = await platform.credentials();
  const iot = new IoTClient({ endpoint: endpoints.awsEndpoint, region: endpoints.region, ...(credentials ? { credentials } : {}) });
  const { deviceId } = device.device;
  const request = await opensslCsr(`/CN=${deviceId}`, 'ec');
  await rm(request.dir, { recursive: true, force: true });
  const created = await iot.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: request.csrPem, setAsActive: true }));
  await iot.send(new AttachPolicyCommand({ policyName: endpoints.devicePolicyName, target: created.certificateArn }));
  await iot.send(new AttachThingPrincipalCommand({ thingName: deviceId, principal: created.certificateArn }));
  iot.destroy();
  return {
    device: { ...device.device, certificateArn: created.certificateArn!, certificateId: created.certificateId! },
    credentials: { ...device.credentials, certificatePem: created.certificatePem!, privateKey: request.privateKeyPem },
  };
}
