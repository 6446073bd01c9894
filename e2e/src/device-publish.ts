/** A registered device publishing readings over MQTT/TLS with QoS 1, as a real device would. */
import { topics } from '@fleet/core';
import { connectDevice, type RegisteredDevice } from './fleet-user.ts';
import type { PlatformProcess } from './platform-process.ts';

/** Publishes `{ ts: base + seq, seq, humidity: seq }` for each seq, each acknowledged before the next. */
export async function publishReadings(
  platform: PlatformProcess,
  device: RegisteredDevice,
  base: number,
  seqs: readonly number[],
): Promise<void> {
  const client = await connectDevice(platform, device);
  for (const seq of seqs) {
    await client.publishAsync(topics.telemetry(device.device.deviceId), JSON.stringify({ ts: base + seq, seq, humidity: seq }), { qos: 1 });
    // Stay under AWS IoT's 100 publishes per second per connection.
    await new Promise((r) => setTimeout(r, 12));
  }
  await client.endAsync();
}
