/**
 * What a newly registered device (or a new certificate of one) needs to connect, shown once: AWS
 * IoT never returns a private key again
 * (https://docs.aws.amazon.com/iot/latest/apireference/API_CreateKeysAndCertificate.html). A device
 * that sent a CSR gets no key: it made its own and kept it.
 */
import { topics, type DeviceCredentials } from '@fleet/core';

export function deviceCredentials(input: {
  deviceId: string;
  certificatePem: string;
  /** The generated key; absent when the certificate was signed from the device's CSR. */
  privateKey?: string | undefined;
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
    ...(input.privateKey === undefined ? { keySource: 'csr' as const } : { keySource: 'generated' as const, privateKey: input.privateKey }),
    caUrl: input.caUrl,
    endpoint,
    port,
    topic,
    mosquittoPub,
  };
}
