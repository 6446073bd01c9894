/**
 * "Stored", read back from the platform at the end of a run: of the readings each device had
 * acknowledged in the run, how many the platform returns, through the same public API a user reads
 * (`GET /api/devices/:id/telemetry/raw`, over the time range of those readings). Storage lags the
 * PUBACK by the rule, the queue and the Data Service's batch, so the count is polled until it
 * reaches the acknowledged count or stops growing.
 */
import { readingKey } from './device-publisher.ts';
import { FleetApiError, type FleetApi } from './fleet-api-client.ts';

export interface AcknowledgedReadings {
  readonly deviceId: string;
  /** `readingKey` of each reading acknowledged. */
  readonly acknowledged: ReadonlySet<string>;
}

/** How many of `device.acknowledged` the platform has stored. */
export async function countStored(api: FleetApi, device: AcknowledgedReadings): Promise<number> {
  if (device.acknowledged.size === 0) return 0;
  let from = Infinity;
  let to = -Infinity;
  for (const key of device.acknowledged) {
    const ts = Number(key.slice(0, key.indexOf('_')));
    from = Math.min(from, ts);
    to = Math.max(to, ts);
  }
  let found = 0;
  let cursor: string | undefined;
  do {
    const page = await api.rawReadings(device.deviceId, { from, to, ...(cursor ? { cursor } : {}) });
    for (const reading of page.readings) if (device.acknowledged.has(readingKey(reading))) found += 1;
    cursor = page.nextCursor;
  } while (cursor);
  return found;
}

export interface StoredCheckOptions {
  /** Give up once the count has not grown for this long. @default 15000 */
  readonly quietMs?: number;
  /** Give up after this long in all. @default 120000 */
  readonly timeoutMs?: number;
  readonly pollMs?: number;
}

/** The fleet's stored count once it equals the acknowledged count, or has stopped growing. */
export async function settledStoredCount(
  api: FleetApi,
  devices: readonly AcknowledgedReadings[],
  options: StoredCheckOptions = {},
): Promise<number> {
  const { quietMs = 15_000, timeoutMs = 120_000, pollMs = 1000 } = options;
  const expected = devices.reduce((n, d) => n + d.acknowledged.size, 0);
  const started = Date.now();
  const stored = new Map<string, number>();
  let total = -1;
  let grewAt = started;
  for (;;) {
    for (const device of devices) {
      // A device whose readings are all found is not asked again.
      if (stored.get(device.deviceId) === device.acknowledged.size) continue;
      try {
        stored.set(device.deviceId, await countStored(api, device));
      } catch (err) {
        // A Data Service task being replaced answers 502/503 for a moment: ask again at the next poll.
        if (!(err instanceof FleetApiError && (err.status === 502 || err.status === 503))) throw err;
      }
    }
    const now = [...stored.values()].reduce((n, c) => n + c, 0);
    if (now > total) grewAt = Date.now();
    total = now;
    if (total >= expected || Date.now() - grewAt > quietMs || Date.now() - started > timeoutMs) return total;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
