/** Test users and devices, created through the public surface as a new user would. */
import { randomBytes } from 'node:crypto';
import { AdminAddUserToGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { cognitoClient, createFleetApi, signIn, signUp, type FleetApi, type RegisteredDevice, type Tokens } from '@fleet/simulator';
import type { FleetUnderTest } from './platform-process.ts';

export interface FleetUser {
  readonly email: string;
  readonly password: string;
  readonly tokens: Tokens;
  readonly api: FleetApi;
}

export async function createUser(platform: FleetUnderTest): Promise<FleetUser> {
  const email = `user-${randomBytes(4).toString('hex')}@example.com`;
  const password = `Passw0rd-${randomBytes(6).toString('hex')}`;
  // Confirming as an administrator stands in for clicking the mailed link.
  await signUp(platform.endpoints, email, password, { credentials: await platform.credentials() });
  const tokens = await signIn(platform.endpoints, email, password);
  return { email, password, tokens, api: createFleetApi(platform.endpoints, tokens) };
}

/** A user in the `admin` group (added with the local cloud's root credentials), signed in with the group in its token. */
export async function createAdmin(platform: FleetUnderTest): Promise<FleetUser> {
  const user = await createUser(platform);
  const client = cognitoClient(platform.endpoints, await platform.credentials());
  try {
    await client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: platform.endpoints.userPoolId, Username: user.email, GroupName: 'admin' }),
    );
  } finally {
    client.destroy();
  }
  const tokens = await signIn(platform.endpoints, user.email, user.password);
  return { ...user, tokens, api: createFleetApi(platform.endpoints, tokens) };
}

export interface Reading {
  readonly ts: number;
  readonly seq: number;
  readonly values?: Record<string, number>;
}

/** Every stored reading of a device in [from, to], following the API's pagination. */
export async function allStoredReadings(user: FleetUser, deviceId: string, from: number, to: number): Promise<Reading[]> {
  const readings: Reading[] = [];
  let cursor: string | undefined;
  do {
    const page = await user.api.call<{ readings: Reading[]; nextCursor?: string }>(
      'GET',
      `/api/devices/${deviceId}/telemetry/raw?from=${from}&to=${to}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    readings.push(...page.readings);
    cursor = page.nextCursor;
  } while (cursor);
  return readings;
}

/** Polls until `count` readings are stored (or the deadline passes) and returns what is stored. */
export async function waitForStored(
  user: FleetUser,
  deviceId: string,
  from: number,
  to: number,
  count: number,
  timeoutMs = 60_000,
): Promise<Reading[]> {
  const deadline = Date.now() + timeoutMs;
  let readings: Reading[] = [];
  while (Date.now() < deadline) {
    readings = await allStoredReadings(user, deviceId, from, to);
    if (readings.length >= count) {
      // Give a duplicate, if one were coming, the chance to show up.
      await new Promise((r) => setTimeout(r, 1500));
      return allStoredReadings(user, deviceId, from, to);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return readings;
}

export type { RegisteredDevice };
