/**
 * What a newly registered device needs to connect, shown once: AWS IoT never returns a private
 * key again (https://docs.aws.amazon.com/iot/latest/apireference/API_CreateKeysAndCertificate.html).
 */
import { topics, type DeviceCredentials } from '@fleet/core';

export function deviceCredentials(input: {
  deviceId: string;
  certificatePem: string;
  privateKey: string;
  caUrl: string;
  endpoint: string;
  port: number;
}): DeviceCredentials {
  const { deviceId, endpoint, port } = input;
  const topic = topics.telemetry(deviceId);
  // The device id matches deviceIdPattern, so it needs no shell quoting.
  const mosquittoPub = [
    'mosquitto_pub',
    '--cafile root-ca.pem',
    `--cert ${deviceId}.cert.pem`,
    `--key ${deviceId}.private.key`,
    `-h ${endpoint}`,
    `-p ${port}`,
    `-i ${deviceId}`,
    '-q 1',
    `-t ${topic}`,
    // `ts` is spliced in by the shell when pasted: a fixed time would age past the retention window.
    `-m '{"ts":'$(date +%s000)',"seq":1,"temperature":21.5}'`,
  ].join(' ');
  return {
    certificatePem: input.certificatePem,
    privateKey: input.privateKey,
    caUrl: input.caUrl,
    endpoint,
    port,
    topic,
    mosquittoPub,
  };
}
