/**
 * Test helpers (the broker tests, the API Service's integration tests): mqtt.js connections over
 * mutual TLS and WebSocket that resolve once connected or reject with the refusal, and waits with
 * a deadline.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface TlsIdentity {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export function connectTls(
  port: number,
  caPem: string,
  identity: TlsIdentity,
  clientId: string,
  extra: IClientOptions = {},
): Promise<MqttClient> {
  return connect(
    mqtt.connect({
      protocol: 'mqtts',
      host: '127.0.0.1',
      port,
      ca: caPem,
      cert: identity.certificatePem,
      key: identity.privateKeyPem,
      clientId,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      ...extra,
    }),
  );
}

export function connectWs(url: string, clientId: string): Promise<MqttClient> {
  return connect(mqtt.connect(url, { clientId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000 }));
}

function connect(client: MqttClient): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      client.end(true);
      reject(err);
    };
    client.once('connect', () => {
      client.removeListener('error', fail);
      client.removeListener('close', closed);
      resolve(client);
    });
    const closed = () => fail(new Error('connection closed before CONNACK'));
    client.once('error', fail);
    client.once('close', closed);
  });
}

/** Resolves when the client's connection closes (rejects after `ms`). */
export function closed(client: MqttClient, ms = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`connection still open after ${ms} ms`)), ms);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Polls `check` until it returns true (rejects after `ms`). */
export async function eventually(check: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Returns the granted QoS list of a subscription, including refusals (128). */
export async function subscribeGranted(client: MqttClient, filter: string, qos: 0 | 1 = 1): Promise<number[]> {
  try {
    const granted = await client.subscribeAsync(filter, { qos });
    return granted.map((g) => g.qos);
  } catch (err) {
    // mqtt.js v5 rejects the whole call when one grant is 128 (NOTES.md): read the SUBACK.
    const packet = (err as { packet?: { granted?: number[] } }).packet;
    if (packet?.granted) return packet.granted;
    throw err;
  }
}
