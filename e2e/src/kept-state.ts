/**
 * State a restart (or a data-folder migration) of the local cloud must keep: a user with a
 * device whose readings are stored, and the same user signing in again on the restarted platform.
 */
import { expect } from 'vitest';
import { createFleetApi, signIn } from '@fleet/simulator';
import { publishReadings } from './device-publish.ts';
import { createUser, waitForStored, type FleetUser, type RegisteredDevice } from './fleet-user.ts';
import type { PlatformProcess } from './platform-process.ts';

export interface KeptState {
  readonly user: FleetUser;
  readonly device: RegisteredDevice;
  /** Readings 1..count were published at `base + seq`. */
  readonly base: number;
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
  return { user, device, base };
}

/** The same user, signed in again on the restarted platform. */
export async function signInAgain(platform: PlatformProcess, user: FleetUser): Promise<FleetUser> {
  const tokens = await signIn(platform.endpoints, user.email, user.password);
  return { ...user, tokens, api: createFleetApi(platform.endpoints, tokens) };
}
