/** Test users and devices, created through the public surface as a new user would. */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Role } from '@fleet/core';
import { createFleetApi, FleetApiError, signIn, signUp, type FleetApi, type RegisteredDevice, type Tokens } from '@fleet/simulator';
import type { FleetUnderTest } from './platform-process.ts';

export interface FleetUser {
  readonly email: string;
  readonly password: string;
  readonly tokens: Tokens;
  readonly api: FleetApi;
}

/** A confirmed, signed-in user; operator unless told (registering devices needs it), `role: null` for none. */
/** `emailPrefix`: the start of the address's local part (a random suffix keeps it unique). */
export async function createUser(platform: FleetUnderTest, options: { role?: Role | null; emailPrefix?: string } = {}): Promise<FleetUser> {
  const email = `${options.emailPrefix ?? 'user'}-${randomBytes(4).toString('hex')}@example.com`;
  const password = `Passw0rd-${randomBytes(6).toString('hex')}`;
  const role = options.role === undefined ? 'operator' : (options.role ?? undefined);
  // Confirming (and granting the role) as an administrator stands in for the mailed link and an admin's promotion.
  await signUp(platform.endpoints, email, password, { credentials: await platform.credentials(), ...(role ? { role } : {}) });
  const tokens = await signIn(platform.endpoints, email, password);
  return { email, password, tokens, api: createFleetApi(platform.endpoints, tokens) };
}

/** A user in the `admin` group, signed in with the group in its token. */
export function createAdmin(platform: FleetUnderTest): Promise<FleetUser> {
  return createUser(platform, { role: 'admin' });
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
    try {
      readings = await allStoredReadings(user, deviceId, from, to);
    } catch (err) {
      // A Data Service task being replaced answers 502/503 for a few seconds: the wait goes on.
      if (!(err instanceof FleetApiError && (err.status === 502 || err.status === 503))) throw err;
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    if (readings.length >= count) {
      // Give a duplicate, if one were coming, the chance to show up.
      await new Promise((r) => setTimeout(r, 1500));
      return allStoredReadings(user, deviceId, from, to);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return readings;
}

/** A registered device's MQTT/TLS connection to IoT Core, with its certificate and its id as client id. */
export async function connectDevice(
  platform: FleetUnderTest,
  device: Pick<RegisteredDevice, 'device' | 'credentials'>,
): Promise<MqttClient> {
  return connectAsync({
    host: platform.endpoints.mqttHost,
    port: platform.endpoints.mqttPort,
    protocol: 'mqtts',
    // A deployed stack's file may leave the CA to the system's trust store (Amazon Root CA 1).
    ...(platform.endpoints.caFile === undefined ? {} : { ca: await readFile(platform.endpoints.caFile, 'utf8') }),
    cert: device.credentials.certificatePem,
    key: device.credentials.privateKey,
    clientId: device.device.deviceId,
    reconnectPeriod: 0,
  });
}

export type { RegisteredDevice };
