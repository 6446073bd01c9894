/**
 * How many devices are online, silent or offline: the status-counts widget of a dashboard asks
 * this once, whatever the fleet's size, instead of listing every device. The Data Service counts
 * its device state items (one paged Scan reading three attributes, kept for `cacheSeconds`); the
 * API relays the answer.
 *
 * The statuses are the ones of device-status.ts (`deviceStatusOf`), judged by the same presence
 * and latest reading the device list and the Overview use.
 */
import { Type, type Static } from 'typebox';
import { silentAfterMs } from './device-status.ts';

export const deviceStatusCountsSettings = {
  /** How long the Data Service reuses a count (one Scan of the state table per this period at most). */
  cacheSeconds: 10,
} as const;

const count = (description: string) => Type.Integer({ minimum: 0, description });

export const DeviceStatusCountsSchema = Type.Object({
  online: count('Connected devices heard from (a reading or their connect) within silentAfterMs'),
  silent: count('Connected devices not heard from for longer than silentAfterMs'),
  offline: count('Devices IoT Core reports disconnected'),
  total: count('Devices the platform has heard from (connected or published at least once)'),
  silentAfterMs: Type.Literal(silentAfterMs),
  countedAt: Type.String({ format: 'date-time', maxLength: 40, description: 'When the count was made (ISO 8601)' }),
});
export type DeviceStatusCounts = Static<typeof DeviceStatusCountsSchema>;

/** `GET` → DeviceStatusCounts, under `/api` (readDevices) and `/data`. */
export const deviceStatusCountsPath = '/device-status-counts';
