/**
 * How a registered device reaches Fleet's broker in the load generator: mutual TLS to the
 * platform's MQTT endpoint with the device's own certificate, trusting the local CA.
 */
import { readFile } from 'node:fs/promises';
import { generatedPrivateKey } from '@fleet/core';
import type { LocalEndpointsFile } from '@fleet/core/endpoints-file';
import type { RegisteredDevice } from '@fleet/e2e';
import type { LoadConnection } from './load-generator.ts';

/** Reads the CA once; the returned function gives each device its connection. */
export async function deviceConnections(endpoints: LocalEndpointsFile): Promise<(device: RegisteredDevice) => LoadConnection> {
  const ca = await readFile(endpoints.caFile, 'utf8');
  return (device) => ({
    kind: 'tls',
    host: endpoints.mqttHost,
    port: endpoints.mqttPort,
    ca,
    cert: device.credentials.certificatePem,
    key: generatedPrivateKey(device.credentials),
  });
}
