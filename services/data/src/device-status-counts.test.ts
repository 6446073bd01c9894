import type { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDeviceStatusCounter } from './device-status-counts.ts';

const now = 1_800_000_000_000;
/** A state table of two Scan pages, counting the Scans it answers. */
function fakeTable() {
  const pages = [
    {
      Items: [{ online: true, receivedAt: now - 1_000 }, { online: false, receivedAt: now - 10_000 }, { online: true }],
      LastEvaluatedKey: { deviceId: 'c' },
    },
    {
      Items: [
        // Connected, its latest reading one millisecond older than the silence threshold.
        { online: true, receivedAt: now - 600_001 },
        { online: false, receivedAt: now - 600_000 },
        { online: false },
        // Reconnected a minute ago after a day's silence: given the threshold to send again.
        { online: true, connectedAt: new Date(now - 60_000).toISOString(), receivedAt: now - 86_400_000 },
      ],
    },
  ];
  const scans: ScanCommand[] = [];
  const client = {
    send: (command: ScanCommand) => {
      scans.push(command);
      return Promise.resolve(command.input.ExclusiveStartKey ? pages[1] : pages[0]);
    },
  } as never;
  return { client, scans };
}

describe('device status counts', () => {
  it("counts online, silent and offline devices by core's deviceStatusOf over every page of one Scan reading three attributes", async () => {
    const table = fakeTable();
    const counter = createDeviceStatusCounter({ client: table.client, tableName: 'fleet-latest', now: () => now });
    expect(await counter.counts()).toEqual({
      online: 2,
      silent: 2,
      offline: 3,
      total: 7,
      silentAfterMs: 600_000,
      countedAt: new Date(now).toISOString(),
    });
    expect(table.scans).toHaveLength(2);
    expect(table.scans[0]!.input.ProjectionExpression).toBe('#online, connectedAt, receivedAt');
  });

  it('answers callers within the cache time from one count, and counts again after it', async () => {
    const table = fakeTable();
    let clock = now;
    const counter = createDeviceStatusCounter({ client: table.client, tableName: 'fleet-latest', now: () => clock, cacheMs: 10_000 });
    await Promise.all([counter.counts(), counter.counts(), counter.counts()]);
    clock += 9_999;
    await counter.counts();
    expect(table.scans).toHaveLength(2);
    clock += 1;
    await counter.counts();
    expect(table.scans).toHaveLength(4);
  });
});
