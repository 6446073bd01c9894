import { describe, expect, it } from 'vitest';
import type { RawReadingsPage } from '@fleet/core';
import type { FleetApi } from './fleet-api-client.ts';
import { countStored, settledStoredCount } from './stored-check.ts';

/** An API answering raw pages of two readings from `stored`, recording the ranges asked. */
function fakeApi(stored: () => { ts: number; seq: number }[]) {
  const asked: { from: number; to: number }[] = [];
  const api = {
    rawReadings: async (deviceId: string, range: { from: number; to: number; cursor?: string }): Promise<RawReadingsPage> => {
      asked.push({ from: range.from, to: range.to });
      const inRange = stored().filter((r) => r.ts >= range.from && r.ts <= range.to);
      const start = Number(range.cursor ?? 0);
      const readings = inRange.slice(start, start + 2).map((r) => ({ ...r, values: { t: 1 } }));
      return { deviceId, readings, ...(start + 2 < inRange.length ? { nextCursor: String(start + 2) } : {}) };
    },
  } as unknown as FleetApi;
  return { api, asked };
}

describe('stored check', () => {
  it('counts, over the acknowledged readings time range and every page, only the readings acknowledged', async () => {
    const { api, asked } = fakeApi(() => [
      { ts: 1000, seq: 1 },
      { ts: 2000, seq: 2 },
      // Stored by another run at the same time: not this run's.
      { ts: 2000, seq: 77 },
      { ts: 3000, seq: 3 },
      { ts: 4000, seq: 4 },
    ]);
    const acknowledged = new Set(['1000_1', '2000_2', '4000_4', '5000_5']);
    expect(await countStored(api, { deviceId: 'sim-0001', acknowledged })).toBe(3);
    expect(asked[0]).toEqual({ from: 1000, to: 5000 });
  });

  it('polls until what is stored reaches the acknowledged count', async () => {
    let polls = 0;
    const { api } = fakeApi(() =>
      ++polls < 3
        ? [{ ts: 1000, seq: 1 }]
        : [
            { ts: 1000, seq: 1 },
            { ts: 2000, seq: 2 },
          ],
    );
    const devices = [{ deviceId: 'sim-0001', acknowledged: new Set(['1000_1', '2000_2']) }];
    expect(await settledStoredCount(api, devices, { pollMs: 1 })).toBe(2);
  });

  it('gives up with what is stored once the count stops growing', async () => {
    const { api } = fakeApi(() => [{ ts: 1000, seq: 1 }]);
    const devices = [{ deviceId: 'sim-0001', acknowledged: new Set(['1000_1', '2000_2']) }];
    expect(await settledStoredCount(api, devices, { pollMs: 1, quietMs: 20 })).toBe(1);
  });
});
