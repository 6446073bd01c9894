/**
 * A certificate made by CreateKeysAndCertificate, whose subject's common name is "AWS IoT Certificate"
 * (on AWS and locally), given to a registered device: what a device provisioned by claim through
 * `$aws/certificates/create/json`, or given a certificate by an operator with AWS access, holds. The
 * device policy lets HTTPS publish only a certificate named after its device, so the tests prove such a
 * certificate is refused there. The API itself signs CN=<deviceId> certificates only. Made through the
 * AWS port (@aws-sdk/client-iot, the local cloud's root credentials), given the device policy and
 * attached to the device's thing. Local only.
 */
import { AttachPolicyCommand, AttachThingPrincipalCommand, CreateKeysAndCertificateCommand, IoTClient } from '@aws-sdk/client-iot';
import type { RegisteredDevice } from '@fleet/simulator';
import type { FleetUnderTest } from './platform-process.ts';

/** `device` with a second certificate, CN "AWS IoT Certificate", and its key in place of the API's. */
export async function withAwsGeneratedCertificate(platform: FleetUnderTest, device: RegisteredDevice): Promise<RegisteredDevice> {
  const { endpoints } = platform;
  if (endpoints.awsEndpoint === undefined || endpoints.devicePolicyName === undefined) {
    throw new Error('a CreateKeysAndCertificate certificate is made through the local AWS port: local platform only');
  }
  const credentials = await platform.credentials();
  const iot = new IoTClient({ endpoint: endpoints.awsEndpoint, region: endpoints.region, ...(credentials ? { credentials } : {}) });
  const { deviceId } = device.device;
  try {
    const created = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    await iot.send(new AttachPolicyCommand({ policyName: endpoints.devicePolicyName, target: created.certificateArn }));
    await iot.send(new AttachThingPrincipalCommand({ thingName: deviceId, principal: created.certificateArn }));
    return {
      device: { ...device.device, certificateArn: created.certificateArn!, certificateId: created.certificateId! },
      credentials: { ...device.credentials, certificatePem: created.certificatePem!, privateKey: created.keyPair!.PrivateKey! },
    };
  } finally {
    iot.destroy();
  }
}
