/**
 * Local state survives a restart, including `kill -9` of `npm start`: users, devices, their
 * certificates and stored readings are all there afterwards, and nothing is left holding a port.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { publishReadings } from './device-publish.ts';
import { allStoredReadings, waitForStored } from './fleet-user.ts';
import { signInAgain, userWithStoredReadings } from './kept-state.ts';

describe.skipIf(deployedEndpointsFile)('restart of the local cloud', () => {
  let platform: PlatformProcess | undefined;

  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  it('keeps users, devices and readings across kill -9 of the launcher', async () => {
    const first = await startPlatformProcess();
    platform = first;
    const { user, device, base } = await userWithStoredReadings(first, 'survivor', 50);

    // SIGKILL: no graceful shutdown of anything; the stand-ins and services must die with it.
    first.child.kill('SIGKILL');
    await new Promise<void>((resolve) =>
      first.child.exitCode !== null || first.child.signalCode !== null ? resolve() : first.child.once('exit', () => resolve()),
    );

    const second = await startPlatformProcess({ dataDir: first.dataDir, ports: first.ports });
    platform = second;
    expect(second.endpoints.userPoolId).toBe(first.endpoints.userPoolId);
    const again = await signInAgain(second, user);
    expect(await again.api.getDevice(device.device.deviceId)).toMatchObject({ deviceId: device.device.deviceId, name: 'survivor' });
    expect(await allStoredReadings(again, device.device.deviceId, base, base + 1000)).toHaveLength(50);

    // The device's certificate still works, and new readings join the old ones.
    await publishReadings(
      second,
      device,
      base,
      Array.from({ length: 50 }, (_, i) => i + 51),
    );
    const stored = await waitForStored(again, device.device.deviceId, base, base + 1000, 100);
    expect(stored.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  }, 180_000);
});
