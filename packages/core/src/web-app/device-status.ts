/**
 * A device's connectivity as an operator reads it: online, offline, or **silent** (connected to
 * IoT Core but no reading for longer than `silentAfterMs`: a stuck sensor on a live connection),
 * and when it was last seen (its last lifecycle event or its last reading, whichever is later).
 * The API filters and sorts the device list by these and the web app shows them, from this one
 * definition.
 */
import { Type } from 'typebox';

/**
 * How long a connected device may stay without a reading before it counts as silent. Ten minutes,
 * ThingsBoard's default device inactivity timeout (`state.defaultInactivityTimeoutInSec` = 600).
 */
export const silentAfterMs = 10 * 60_000;

export const deviceConnectivities = ['online', 'offline', 'silent'] as const;
export const DeviceConnectivitySchema = Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('silent')], {
  description: `online; offline; silent: connected but no reading for more than ${silentAfterMs / 60_000} min`,
});
export type DeviceConnectivity = (typeof deviceConnectivities)[number];

/** What the two need of a device: its presence and its latest reading's receive time. */
export interface PresenceAndLatest {
  readonly online: boolean;
  readonly lastSeenAt?: string;
  readonly connectedAt?: string;
  readonly latest?: { readonly receivedAt: number };
}

/** Epoch ms of the last sign of life: a lifecycle event or a reading, whichever is later; undefined when never seen. */
export function lastActivityOf(device: PresenceAndLatest): number | undefined {
  const event = device.lastSeenAt === undefined ? Number.NaN : Date.parse(device.lastSeenAt);
  const reading = device.latest?.receivedAt ?? Number.NaN;
  const last = Math.max(Number.isNaN(event) ? -Infinity : event, Number.isNaN(reading) ? -Infinity : reading);
  return Number.isFinite(last) ? last : undefined;
}

/**
 * Online, offline or silent at `now`. A connected device is silent when both its last reading and
 * its connection are older than `silentAfterMs`: a device that just (re)connected gets that long
 * to publish.
 */
export function connectivityOf(device: PresenceAndLatest, now: number): DeviceConnectivity {
  if (!device.online) return 'offline';
  const connected = device.connectedAt === undefined ? Number.NaN : Date.parse(device.connectedAt);
  const since = Math.max(device.latest?.receivedAt ?? -Infinity, Number.isNaN(connected) ? -Infinity : connected);
  const known = Number.isFinite(since) ? since : lastActivityOf(device);
  return known !== undefined && now - known > silentAfterMs ? 'silent' : 'online';
}
