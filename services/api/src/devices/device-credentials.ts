/**
 * What a newly registered device (or a new certificate of one) needs to connect, shown once: the
 * private key the API made for it is kept nowhere, as AWS IoT never returns a private key again
 * (https://docs.aws.amazon.com/iot/latest/apireference/API_CreateKeysAndCertificate.html). A device
 * that sent a CSR gets no key: it made its own and kept it.
 */
import { X509Certificate } from 'node:crypto';
import { iotHttpsPublishPath, rootCaFileName, topics, type DeviceCredentials } from '@fleet/core';

/** Where a device connects, as the routes that hand out a new certificate answer it. */
export interface ConnectionDetails {
  readonly iotEndpoint: () => Promise<string>;
  readonly caUrl: string;
  /** MQTT/TLS port of the IoT endpoint. */
  readonly mqttPort: number;
  /** HTTPS publish port of the IoT endpoint (8443 on AWS). */
  readonly httpsPort: number;
}

/** The credentials of a certificate just issued to `deviceId` (registration, rotation). */
export async function credentialsFor(
  details: ConnectionDetails,
  deviceId: string,
  issued: { readonly certificatePem: string; readonly privateKey?: string | undefined },
): Promise<DeviceCredentials> {
  return deviceCredentials({
    deviceId,
    certificatePem: issued.certificatePem,
    privateKey: issued.privateKey,
    caUrl: details.caUrl,
    endpoint: await details.iotEndpoint(),
    port: details.mqttPort,
    httpsPort: details.httpsPort,
  });
}

export function deviceCredentials(input: {
  deviceId: string;
  certificatePem: string;
  /** The generated key; absent when the certificate was signed from the device's CSR. */
  privateKey?: string | undefined;
  caUrl: string;
  endpoint: string;
  port: number;
  /** HTTPS publish port of the same endpoint (8443 on AWS). */
  httpsPort: number;
}): DeviceCredentials {
  const { deviceId, endpoint, port, httpsPort } = input;
  const topic = topics.telemetry(deviceId);
  // The device id matches deviceIdPattern, so it needs no shell quoting. `ts` is spliced in by the
  // shell when pasted: a fixed time would age past the retention window.
  const reading = `'{"ts":'$(date +%s000)',"seq":1,"temperature":21.5}'`;
  const mosquittoPub = [
    'mosquitto_pub',
    `--cafile ${rootCaFileName}`,
    `--cert ${deviceId}.cert.pem`,
    `--key ${deviceId}.private.key`,
    `-h ${endpoint}`,
    `-p ${port}`,
    `-i ${deviceId}`,
    '-q 1',
    `-t ${topic}`,
    `-m ${reading}`,
  ].join(' ');
  // AWS IoT's HTTPS publish (https://docs.aws.amazon.com/iot/latest/developerguide/http.html), same files, same reading.
  // Offered only to a certificate named after the device: the device policy allows HTTPS publish
  // through ${iot:Certificate.Subject.CommonName} alone (core's iot-policies.ts), so with any other
  // certificate (CreateKeysAndCertificate's are "AWS IoT Certificate", e.g. a claim-provisioned
  // device's) the command would be refused. Every certificate the API has signed names its device.
  const curlPublish = [
    'curl',
    `--cacert ${rootCaFileName}`,
    `--cert ${deviceId}.cert.pem`,
    `--key ${deviceId}.private.key`,
    '-X POST',
    `'https://${endpoint}:${httpsPort}${iotHttpsPublishPath(topic, 1)}'`,
    `-d ${reading}`,
  ].join(' ');
  return {
    certificatePem: input.certificatePem,
    ...(input.privateKey === undefined ? { keySource: 'csr' as const } : { keySource: 'generated' as const, privateKey: input.privateKey }),
    caUrl: input.caUrl,
    endpoint,
    port,
    httpsPort,
    topic,
    mosquittoPub,
    ...(subjectCommonName(input.certificatePem) === deviceId ? { curlPublish } : {}),
  };
}

/** The common name of a certificate's subject; undefined when it has none (or the PEM does not parse: it names no device). */
export function subjectCommonName(certificatePem: string): string | undefined {
  let subject: string;
  try {
    subject = new X509Certificate(certificatePem).subject;
  } catch {
    return undefined;
  }
  return subject
    .split('\n')
    .find((line) => line.startsWith('CN='))
    ?.slice('CN='.length);
}
