/**
 * Reads what the Data Service stored, over its own HTTP API (services/data/src/app.ts, behind load
 * balancer 3), with the access token of a signed-in user as every caller of it needs.
 */
import { chunk, deviceLimits, mapWithLimit, type DeviceStates } from '@fleet/core';

export interface StoredReading {
  readonly ts: number;
  readonly seq: number;
  readonly values: Readonly<Record<string, number>>;
}

export interface LatestReading extends StoredReading {
  readonly deviceId: string;
  readonly receivedAt: number;
}

export interface DataServiceReader {
  /**
   * The latest readings of many devices, in the order asked (undefined before a device's first),
   * read as a dashboard reads them: `GET /data/device-states`, one BatchGetItem per 100 devices.
   */
  latestMany(deviceIds: readonly string[]): Promise<(LatestReading | undefined)[]>;
  /** Every raw reading with `from ≤ ts ≤ to`, following the pagination. */
  raw(deviceId: string, from: number, to: number): Promise<StoredReading[]>;
}

export function createDataServiceReader(options: { baseUrl: string; accessToken: string; requestTimeoutMs?: number }): DataServiceReader {
  const timeout = options.requestTimeoutMs ?? 10_000;
  async function get<T>(path: string): Promise<{ status: number; body: T | undefined }> {
    const res = await fetch(new URL(path, options.baseUrl), {
      headers: { authorization: `Bearer ${options.accessToken}` },
      signal: AbortSignal.timeout(timeout),
    });
    const text = await res.text();
    if (res.status === 404) return { status: 404, body: undefined };
    if (!res.ok) throw new Error(`GET ${path} on the Data Service answered ${res.status}: ${text.slice(0, 500)}`);
    return { status: res.status, body: JSON.parse(text) as T };
  }
  return {
    async latestMany(deviceIds) {
      // Two pages at a time: the polls compete with ingest for the same cores.
      const answers = await mapWithLimit(chunk(deviceIds, deviceLimits.maxPage), 2, async (ids) => {
        const { body } = await get<DeviceStates>(`/data/device-states?ids=${ids.map(encodeURIComponent).join(',')}`);
        return (body?.devices ?? []).map((d) => (d.latest ? { deviceId: d.deviceId, ...d.latest } : undefined));
      });
      return answers.flat();
    },
    async raw(deviceId, from, to) {
      const readings: StoredReading[] = [];
      let cursor: string | undefined;
      do {
        const query = `from=${Math.floor(from)}&to=${Math.ceil(to)}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const { body } = await get<{ readings: StoredReading[]; nextCursor?: string }>(
          `/data/devices/${encodeURIComponent(deviceId)}/readings/raw?${query}`,
        );
        if (!body) throw new Error(`the Data Service has no raw readings route for device ${deviceId} (404)`);
        readings.push(...body.readings);
        cursor = body.nextCursor;
      } while (cursor);
      return readings;
    },
  };
}
