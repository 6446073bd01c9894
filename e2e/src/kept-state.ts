/**
 * State a restart (or a data-folder migration) of the local cloud must keep: a user with a
 * device whose readings are stored, and the same user signing in again on the restarted platform.
 */
import { afterAll, expect } from 'vitest';
import { createFleetApi, signIn } from '@fleet/simulator';
import { publishReadings } from './device-publish.ts';
import { allStoredReadings, createUser, waitForStored, type FleetUser, type RegisteredDevice } from './fleet-user.ts';
import type { PlatformProcess } from './platform-process.ts';

/**
 * For a test that starts the platform again on the same data: call in the describe block, and pass
 * each platform the test starts through the function it returns; the last one is stopped after the
 * block, whatever the test did (the first is stopped or killed by the test itself).
 */
export function lastStartedStoppedAfterAll(): (platform: PlatformProcess) => PlatformProcess {
  let last: PlatformProcess | undefined;
  afterAll(async () => {
    await last?.stop();
  }, 60_000);
  return (platform) => (last = platform);
}

export interface KeptState {
  readonly user: FleetUser;
  readonly device: RegisteredDevice;
  /** The name the device was registered with. */
  readonly deviceName: string;
  /** Readings 1..count were published at `base + seq`. */
  readonly base: number;
  readonly count: number;
}

/** A new user registers `deviceName`, which publishes readings 1..count; resolves once all are stored. */
export async function userWithStoredReadings(platform: PlatformProcess, deviceName: string, count: number): Promise<KeptState> {
  const user = await createUser(platform);
  const device = await user.api.registerDevice(deviceName);
  const base = Date.now() - 120_000;
  await publishReadings(
    platform,
    device,
    base,
    Array.from({ length: count }, (_, i) => i + 1),
  );
  expect(await waitForStored(user, device.device.deviceId, base, base + 1000, count)).toHaveLength(count);
  return { user, device, deviceName, base, count };
}

/** The same user, signed in again on the restarted platform. */
export async function signInAgain(platform: PlatformProcess, user: FleetUser): Promise<FleetUser> {
  const tokens = await signIn(platform.endpoints, user.email, user.password);
  return { ...user, tokens, api: createFleetApi(platform.endpoints, tokens) };
}

/**
 * On the platform started again on the data of `before`: the same user pool, the user signs in
 * again, and the device is there with all its readings. Resolves with the user signed in again.
 */
export async function expectStateKept(before: PlatformProcess, restarted: PlatformProcess, kept: KeptState): Promise<FleetUser> {
  const { deviceId } = kept.device.device;
  expect(restarted.endpoints.userPoolId).toBe(before.endpoints.userPoolId);
  const again = await signInAgain(restarted, kept.user);
  expect(await again.api.getDevice(deviceId)).toMatchObject({ deviceId, name: kept.deviceName });
  expect(await allStoredReadings(again, deviceId, kept.base, kept.base + 1000)).toHaveLength(kept.count);
  return again;
}

/** The device's certificate still works on the restarted platform: as many new readings again join the old ones, each once. */
export async function expectNewReadingsJoinKept(restarted: PlatformProcess, again: FleetUser, kept: KeptState): Promise<void> {
  const { device, base, count } = kept;
  await publishReadings(
    restarted,
    device,
    base,
    Array.from({ length: count }, (_, i) => count + i + 1),
  );
  const stored = await waitForStored(again, device.device.deviceId, base, base + 1000, 2 * count);
  expect(stored.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 2 * count }, (_, i) => i + 1));
}
