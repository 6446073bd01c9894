/**
 * Fleet provisioning by claim, as a device does it at first boot with AWS's device SDKs
 * (https://docs.aws.amazon.com/iot/latest/developerguide/fleet-provision-api.html): connect with the
 * claim certificate, ask for a certificate (`$aws/certificates/create/json`, or with `csr` a CSR of a
 * key made here, `$aws/certificates/create-from-csr/json`), then RegisterThing with its ownership
 * token and the serial number. The API has no request id, so one connection runs one request at a
 * time; `provisionFleetByClaim` spreads the devices over several connections. Each connection keeps
 * under IoT Core's publish quota per connection, as a device must (over it, the connection is
 * throttled: Fleet's broker closes it, and a fast run of 1,000 devices over 4 connections reached
 * ≈ 88 publishes/s on each).
 */
import { connectAsync, type MqttClient } from 'mqtt';
import {
  provisioningTopics,
  type CreateCertificateFromCsrResponse,
  type CreateKeysAndCertificateResponse,
  type ProvisioningErrorResponse,
  type RegisterThingResponse,
} from '@fleet/core';
import { createDeviceKey } from '@fleet/core/device-key';
import { defaultSendRate } from './device-publisher.ts';
import type { StoredDevice } from './device-store.ts';
import { mqttsOptions, type TlsEndpoint } from './mqtts-options.ts';

/** The claim certificate and its key (PEM) as `cert` and `key`. */
export interface ClaimConnection extends TlsEndpoint {
  readonly templateName: string;
}

/** A `/rejected` answer: AWS's error document. */
export class ProvisioningRejectedError extends Error {
  constructor(
    readonly topic: string,
    readonly response: ProvisioningErrorResponse,
  ) {
    super(`${topic} rejected: ${response.statusCode} ${response.errorCode}: ${response.errorMessage}`);
    this.name = 'ProvisioningRejectedError';
  }
}

const replyTimeoutMs = 30_000;

/** One claim connection: requests one at a time, each answered on its topic's `/accepted` or `/rejected`. */
export async function connectClaim(connection: ClaimConnection, clientId: string) {
  const client: MqttClient = await connectAsync(mqttsOptions(connection, clientId, 0));
  const registerTopic = provisioningTopics.registerThing(connection.templateName);
  // AWS: subscribe to the answers before publishing a request.
  await client.subscribeAsync(
    [provisioningTopics.createKeys, provisioningTopics.createFromCsr, registerTopic].map((t) => `${t}/+`),
    { qos: 1 },
  );

  /** The earliest time the next request may be published: spaced as a device's sends are (`defaultSendRate`, the quota less a fifth). */
  let nextRequestAt = 0;

  async function request<T>(topic: string, body: object): Promise<T> {
    const wait = nextRequestAt - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    nextRequestAt = Date.now() + 1000 / defaultSendRate;
    const answer = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`no answer on ${topic} within ${replyTimeoutMs} ms`)), replyTimeoutMs);
      const onMessage = (replyTopic: string, payload: Buffer) => {
        if (replyTopic === provisioningTopics.accepted(topic)) done(undefined, JSON.parse(payload.toString()) as T);
        else if (replyTopic === provisioningTopics.rejected(topic)) {
          done(new ProvisioningRejectedError(topic, JSON.parse(payload.toString()) as ProvisioningErrorResponse));
        }
      };
      const onClose = () => done(new Error(`the claim connection closed while waiting on ${topic}`));
      function done(err: Error | undefined, value?: T) {
        clearTimeout(timer);
        client.removeListener('message', onMessage);
        client.removeListener('close', onClose);
        if (err) reject(err);
        else resolve(value as T);
      }
      client.on('message', onMessage);
      client.once('close', onClose);
    });
    await client.publishAsync(topic, JSON.stringify(body), { qos: 1 });
    return answer;
  }

  return {
    /** Provisions one device: its certificate (keys made by IoT Core, or from a CSR of a key made here), then RegisterThing. */
    async provision(serialNumber: string, useCsr: boolean): Promise<StoredDevice> {
      let cert: string;
      let key: string;
      let token: string;
      if (useCsr) {
        // The private key never leaves this process.
        const made = await createDeviceKey(serialNumber);
        const created = await request<CreateCertificateFromCsrResponse>(provisioningTopics.createFromCsr, {
          certificateSigningRequest: made.csrPem,
        });
        [cert, key, token] = [created.certificatePem, made.privateKeyPem, created.certificateOwnershipToken];
      } else {
        const created = await request<CreateKeysAndCertificateResponse>(provisioningTopics.createKeys, {});
        [cert, key, token] = [created.certificatePem, created.privateKey, created.certificateOwnershipToken];
      }
      const registered = await request<RegisterThingResponse>(registerTopic, {
        certificateOwnershipToken: token,
        parameters: { SerialNumber: serialNumber },
      });
      return { deviceId: registered.thingName, cert, key };
    },
    close: () => client.endAsync(),
  };
}

/**
 * Provisions `serialNumbers` over `connections` claim connections (each one request at a time),
 * calling `onDevice` as each device is ready. Resolves with the devices in the order given.
 */
export async function provisionFleetByClaim(
  connection: ClaimConnection,
  serialNumbers: readonly string[],
  options: { readonly connections: number; readonly csr: boolean; readonly onDevice?: (device: StoredDevice) => Promise<void> },
): Promise<StoredDevice[]> {
  const devices: StoredDevice[] = new Array<StoredDevice>(serialNumbers.length);
  let next = 0;
  const worker = async (index: number) => {
    const claim = await connectClaim(connection, `claim-${process.pid}-${index}`);
    try {
      while (next < serialNumbers.length) {
        const at = next++;
        const device = await claim.provision(serialNumbers[at] as string, options.csr);
        await options.onDevice?.(device);
        devices[at] = device;
      }
    } finally {
      await claim.close();
    }
  };
  const count = Math.max(1, Math.min(options.connections, serialNumbers.length));
  await Promise.all(Array.from({ length: count }, (_, i) => worker(i)));
  return devices;
}
