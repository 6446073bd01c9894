/**
 * Local state survives a restart, including `kill -9` of `npm start`: users, devices, their
 * certificates and stored readings are all there afterwards, and nothing is left holding a port.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { topics } from '@fleet/core';
import { createFleetApi, signIn } from '@fleet/simulator';
import { deployedEndpointsFile, startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { allStoredReadings, connectDevice, createUser, waitForStored, type RegisteredDevice } from './fleet-user.ts';

async function publish(platform: PlatformProcess, device: RegisteredDevice, base: number, seqs: number[]): Promise<void> {
  const client = await connectDevice(platform, device);
  for (const seq of seqs) {
    await client.publishAsync(topics.telemetry(device.device.deviceId), JSON.stringify({ ts: base + seq, seq, humidity: seq }), { qos: 1 });
    // Stay under AWS IoT's 100 publishes per second per connection.
    await new Promise((r) => setTimeout(r, 12));
  }
  await client.endAsync();
}

describe.skipIf(deployedEndpointsFile)('restart of the local cloud', () => {
  let platform: PlatformProcess | undefined;

  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  it('keeps users, devices and readings across kill -9 of the launcher', async () => {
    const first = await startPlatformProcess();
    platform = first;
    const user = await createUser(first);
    const device = await user.api.registerDevice('survivor');
    const base = Date.now() - 120_000;
    await publish(
      first,
      device,
      base,
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    expect(await waitForStored(user, device.device.deviceId, base, base + 1000, 50)).toHaveLength(50);

    // SIGKILL: no graceful shutdown of anything; the stand-ins and services must die with it.
    first.child.kill('SIGKILL');
    await new Promise<void>((resolve) =>
      first.child.exitCode !== null || first.child.signalCode !== null ? resolve() : first.child.once('exit', () => resolve()),
    );

    const second = await startPlatformProcess({ dataDir: first.dataDir, ports: first.ports });
    platform = second;
    expect(second.endpoints.userPoolId).toBe(first.endpoints.userPoolId);
    const tokens = await signIn(second.endpoints, user.email, user.password);
    const api = createFleetApi(second.endpoints, tokens);
    expect(await api.getDevice(device.device.deviceId)).toMatchObject({ deviceId: device.device.deviceId, name: 'survivor' });
    const again = { ...user, tokens, api };
    expect(await allStoredReadings(again, device.device.deviceId, base, base + 1000)).toHaveLength(50);

    // The device's certificate still works, and new readings join the old ones.
    await publish(
      second,
      device,
      base,
      Array.from({ length: 50 }, (_, i) => i + 51),
    );
    const stored = await waitForStored(again, device.device.deviceId, base, base + 1000, 100);
    expect(stored.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  }, 180_000);
});
