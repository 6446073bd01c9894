/**
 * The simulator's backfill end to end: `npm run simulate -- --backfill 1h` (the simulator's own
 * command line, as a process) against the platform as a real process imports two devices' history
 * through import data jobs; its report, the stored raw readings and the chart's rollup counts agree
 * on every row, a second run of the same range finds only duplicates, and the live readings that
 * follow continue each device's seq after the history's last one.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadingIntervals } from '@fleet/core';
import { allStoredReadings, createUser, waitForStored, type FleetUser } from './fleet-user.ts';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { repoRoot, startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { simulatorArgs } from './simulator-command.ts';

const run = promisify(execFile);
const hour = 3_600_000;
const devices = ['bf-0001', 'bf-0002'];

describe.skipIf(deployedEndpointsFile)('simulator backfill', () => {
  let platform: PlatformProcess;
  let operator: FleetUser;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    operator = await createUser(platform);
  }, 120_000);
  afterAll(() => platform?.stop(), 60_000);

  /** The simulator's command line, as `npm run simulate` runs it; its report lines by device. */
  async function simulate(args: readonly string[]) {
    const { stdout } = await run(process.execPath, simulatorArgs(platform, ['--devices', '2', '--prefix', 'bf', ...args]), {
      cwd: repoRoot,
      timeout: 150_000,
    });
    const report = new Map<string, { rows: number; accepted: number; duplicates: number; rejected: number }>();
    for (const [, deviceId, rows, accepted, duplicates, rejected] of stdout.matchAll(
      /^ {2}(\S+): (\d+) rows sent, (\d+) accepted, (\d+) duplicates, (\d+) rejected in [\d.]+ s$/gm,
    )) {
      report.set(deviceId!, { rows: Number(rows), accepted: Number(accepted), duplicates: Number(duplicates), rejected: Number(rejected) });
    }
    return { stdout, report };
  }

  const chartCount = async (deviceId: string, from: number, to: number, maxPoints: number) => {
    const chart = await operator.api.call<ReadingIntervals>(
      'GET',
      `/api/devices/${deviceId}/telemetry?from=${from}&to=${to}&maxPoints=${maxPoints}`,
    );
    return { resolution: chart.resolution, count: (chart.metrics['temperature'] ?? []).reduce((n, i) => n + i.count, 0) };
  };

  it('imports each device history once, finds only duplicates on a re-run, and continues the seqs live', async () => {
    // An hour at 1 reading a second: 3,600 rows a device, ts = seq × 1000 ms.
    const until = Math.floor(Date.now() / hour) * hour - 2 * hour;
    const from = until - hour;
    const range = ['--rate', '1', '--backfill', '1h', '--backfill-until', new Date(until).toISOString()];

    const first = await simulate([...range, '--backfill-only']);
    for (const deviceId of devices) {
      expect(first.report.get(deviceId), first.stdout).toEqual({ rows: 3600, accepted: 3600, duplicates: 0, rejected: 0 });
      const stored = await allStoredReadings(operator, deviceId, from, until - 1);
      expect(stored).toHaveLength(3600);
      expect(stored.every((r) => r.seq * 1000 === r.ts)).toBe(true);
      expect(await chartCount(deviceId, from, until, 60)).toEqual({ resolution: '1m', count: 3600 });
      expect(await chartCount(deviceId, until - 30 * 24 * hour, until, 500)).toEqual({ resolution: '1h', count: 3600 });
    }

    // The same range again, then three live readings a device.
    const second = await simulate([...range, '--count', '3', '--no-control']);
    expect(second.stdout).toMatch(/^6 of 6 readings acknowledged/m);
    for (const deviceId of devices) {
      expect(second.report.get(deviceId), second.stdout).toEqual({ rows: 3600, accepted: 0, duplicates: 3600, rejected: 0 });
      expect(await allStoredReadings(operator, deviceId, from, until - 1)).toHaveLength(3600);
      expect(await chartCount(deviceId, from, until, 60)).toEqual({ resolution: '1m', count: 3600 });
      const live = await waitForStored(operator, deviceId, until, Date.now() + 60_000, 3);
      expect(live.map((r) => r.seq)).toEqual([until / 1000, until / 1000 + 1, until / 1000 + 2]);
    }
  }, 170_000);
});
