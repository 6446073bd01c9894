/**
 * A device's status, defined once for every place that shows, counts or filters it: the Overview's
 * tiles, a dashboard's status counts (device-status-counts.ts) and the device list
 * (`/devices?status=online|offline|silent`, sorted by last activity). Presence comes from AWS IoT's
 * lifecycle events, the latest reading's broker time from the Data Service.
 */
import { Type } from 'typebox';
import type { DevicePresence } from '../device-contract.ts';

/**
 * A connected device with no reading for longer than this is **silent**: IoT Core still holds its
 * connection, but nothing arrives (a stuck sensor loop, a full buffer). Ten minutes is ThingsBoard's
 * default device inactivity timeout (`state.defaultInactivityTimeoutInSec` = 600) and leaves room
 * for devices that report every few minutes.
 */
export const silentAfterMs = 10 * 60_000;

export const deviceStatuses = ['online', 'offline', 'silent'] as const;
export type DeviceStatus = (typeof deviceStatuses)[number];
export const DeviceStatusSchema = Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('silent')], {
  description: `online; offline; silent: connected but no reading for more than ${silentAfterMs / 60_000} min`,
});

/** What a device's status is judged by: its presence and the broker time of its latest reading. */
export type DeviceStatusInput = Pick<DevicePresence, 'online' | 'lastSeenAt' | 'connectedAt'> & {
  readonly latest?: { readonly receivedAt: number } | undefined;
};

const epochOf = (iso: string | undefined) => (iso === undefined ? Number.NaN : Date.parse(iso));

/** Epoch ms of the last sign of life: a lifecycle event or a reading, whichever is later; undefined when never seen. */
export function lastActivityOf(device: DeviceStatusInput): number | undefined {
  const event = epochOf(device.lastSeenAt);
  const last = Math.max(Number.isNaN(event) ? -Infinity : event, device.latest?.receivedAt ?? -Infinity);
  return Number.isFinite(last) ? last : undefined;
}

/**
 * `offline` when IoT Core reports it disconnected; `silent` when connected and nothing was heard for
 * longer than `silentAfterMs` — counted from its latest reading or, when it connected after that
 * reading (or never sent one), from the connect (its last lifecycle event when the connect time is
 * not known): a device that just reconnected is given the time to send; `online` otherwise.
 * Exactly `silentAfterMs` is still online ("longer than"). Broker times are used, not the
 * device's own clock.
 */
export function deviceStatusOf(device: DeviceStatusInput, now: number): DeviceStatus {
  if (!device.online) return 'offline';
  const connected = epochOf(device.connectedAt ?? device.lastSeenAt);
  const heard = Math.max(device.latest?.receivedAt ?? -Infinity, Number.isNaN(connected) ? -Infinity : connected);
  // Connected, with neither a reading nor a connect time known: nothing says it is sending.
  if (!Number.isFinite(heard)) return 'silent';
  return now - heard > silentAfterMs ? 'silent' : 'online';
}
