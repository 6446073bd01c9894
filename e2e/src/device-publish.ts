/** A registered device publishing readings over MQTT/TLS with QoS 1, as a real device would. */
import { readFile } from 'node:fs/promises';
import { connectAsync } from 'mqtt';
import { topics } from '@fleet/core';
import type { RegisteredDevice } from './fleet-user.ts';
import type { PlatformProcess } from './platform-process.ts';

/** Publishes `{ ts: base + seq, seq, humidity: seq }` for each seq, each acknowledged before the next. */
export async function publishReadings(
  platform: PlatformProcess,
  device: RegisteredDevice,
  base: number,
  seqs: readonly number[],
): Promise<void> {
  const client = await connectAsync({
    host: platform.endpoints.mqttHost,
    port: platform.endpoints.mqttPort,
    protocol: 'mqtts',
    ca: await readFile(platform.endpoints.caFile, 'utf8'),
    cert: device.credentials.certificatePem,
    key: device.credentials.privateKey,
    clientId: device.device.deviceId,
    reconnectPeriod: 0,
  });
  for (const seq of seqs) {
    await client.publishAsync(topics.telemetry(device.device.deviceId), JSON.stringify({ ts: base + seq, seq, humidity: seq }), { qos: 1 });
    // Stay under AWS IoT's 100 publishes per second per connection.
    await new Promise((r) => setTimeout(r, 12));
  }
  await client.endAsync();
}
