/**
 * A device's status, defined once for every place that shows or counts it: the Overview's tiles,
 * a dashboard's status counts (device-status-counts.ts) and the device list's filter
 * (`/devices?status=online|offline|silent`). Presence comes from AWS IoT's lifecycle events, the
 * latest reading's broker time from the Data Service.
 */
import type { DevicePresence } from '../device-contract.ts';

/**
 * A connected device with no reading for longer than this is **silent**: IoT Core still holds its
 * connection, but nothing arrives (a stuck sensor loop, a full buffer). Ten minutes leaves room for
 * devices that report every few minutes; AWS IoT Device Defender's "no messages" checks and
 * ThingsBoard's inactivity timeout work the same way, with a threshold of this order.
 */
export const silentAfterMs = 10 * 60_000;

export const deviceStatuses = ['online', 'offline', 'silent'] as const;
export type DeviceStatus = (typeof deviceStatuses)[number];

/** What a device's status is judged by: its presence and the broker time of its latest reading. */
export type DeviceStatusInput = DevicePresence & { readonly latest?: { readonly receivedAt: number } | undefined };

/**
 * `offline` when IoT Core reports it disconnected; `silent` when connected and nothing was heard for
 * longer than `silentAfterMs` — counted from its latest reading or, when it connected after that
 * reading (or never sent one), from the connect: a device that just reconnected is given the time to
 * send; `online` otherwise. Exactly `silentAfterMs` is still online ("longer than"). Broker times
 * (`receivedAt`) are used, not the device's own clock.
 */
export function deviceStatusOf(device: DeviceStatusInput, now: number): DeviceStatus {
  if (!device.online) return 'offline';
  const connectedAt = device.connectedAt === undefined ? Number.NaN : Date.parse(device.connectedAt);
  const heard = Math.max(
    device.latest?.receivedAt ?? Number.NEGATIVE_INFINITY,
    Number.isNaN(connectedAt) ? Number.NEGATIVE_INFINITY : connectedAt,
  );
  // Connected, with neither a reading nor a connect time known: nothing says it is sending.
  if (heard === Number.NEGATIVE_INFINITY) return 'silent';
  return now - heard > silentAfterMs ? 'silent' : 'online';
}
