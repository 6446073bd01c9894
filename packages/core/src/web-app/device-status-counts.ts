/**
 * How many devices are online, silent or offline: the status-counts widget of a dashboard asks
 * this once, whatever the fleet's size, instead of listing every device. The Data Service counts
 * its device state items (one paged Scan reading three attributes, kept for `cacheSeconds`); the
 * API relays the answer.
 *
 * ThingsBoard calls a device active when it sent telemetry within its inactivity timeout; AWS IoT's
 * lifecycle events say whether it is connected. Both count here:
 * - **online**: a reading arrived within `silentAfterSeconds`;
 * - **silent**: connected (lifecycle) but no reading within that time: alive and saying nothing;
 * - **offline**: neither.
 * A device that connects, publishes and disconnects (`mosquitto_pub`) is online while it publishes.
 */
import { Type, type Static } from 'typebox';

export const deviceStatusCountsSettings = {
  /** No reading for this long: silent when connected, offline otherwise. */
  silentAfterSeconds: 300,
  /** How long the Data Service reuses a count (one Scan of the state table per this period at most). */
  cacheSeconds: 10,
} as const;

export const deviceStatuses = ['online', 'silent', 'offline'] as const;
export type DeviceStatus = (typeof deviceStatuses)[number];

const count = (description: string) => Type.Integer({ minimum: 0, description });

export const DeviceStatusCountsSchema = Type.Object({
  online: count('Devices with a reading within silentAfterSeconds'),
  silent: count('Connected devices without a reading within silentAfterSeconds'),
  offline: count('Devices neither connected nor with a recent reading'),
  total: count('Devices the platform has heard from (connected or published at least once)'),
  silentAfterSeconds: Type.Integer({ minimum: 1 }),
  countedAt: Type.String({ format: 'date-time', maxLength: 40, description: 'When the count was made (ISO 8601)' }),
});
export type DeviceStatusCounts = Static<typeof DeviceStatusCountsSchema>;

/** `GET` → DeviceStatusCounts, under `/api` (readDevices) and `/data`. */
export const deviceStatusCountsPath = '/device-status-counts';

/** The status of one device from its connection and the receipt time (epoch ms) of its latest reading. */
export function deviceStatusOf(
  state: { readonly connected: boolean; readonly lastReadingAt: number | undefined },
  now: number,
  silentAfterSeconds: number = deviceStatusCountsSettings.silentAfterSeconds,
): DeviceStatus {
  if (state.lastReadingAt !== undefined && now - state.lastReadingAt <= silentAfterSeconds * 1000) return 'online';
  return state.connected ? 'silent' : 'offline';
}
