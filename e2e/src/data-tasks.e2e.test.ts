/**
 * The Data Service scales out as an ECS service does, by running more tasks on the one ingest
 * queue: `npm start -- --data-tasks 2` runs two Data Service processes behind load balancer 3.
 * Every reading acknowledged to the devices is stored exactly once, both tasks take part, and the
 * product's reads go through the load balancer to either task. The tasks run with
 * `--ingest-flush-spacing 0` (fresh data first: a flush whenever a slot is free), the most flushes and
 * so the most concurrent writes of one device's window by the two tasks.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapWithLimit, topics } from '@fleet/core';
import { dataLayout } from '@fleet/local-cloud';
import { allStoredReadings, connectDevice, createUser, waitForStored, type FleetUser } from './fleet-user.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';

const devices = 4;
const readingsPerDevice = 150;

/** Sums an Embedded Metric Format counter over the EMF lines of one task's log file. */
async function emfSum(file: string, metric: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch(() => '');
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.includes('"_aws"')) continue;
    const value = (JSON.parse(line) as Record<string, unknown>)[metric];
    if (typeof value === 'number') sum += value;
  }
  return sum;
}

describe('two Data Service tasks on one ingest queue', () => {
  let platform: PlatformProcess;
  let user: FleetUser;

  beforeAll(async () => {
    // At info level the tasks log their consumer's settings (the last --log-level wins).
    platform = await startPlatformProcess({ launcherArgs: ['--data-tasks', '2', '--ingest-flush-spacing', '0', '--log-level', 'info'] });
    user = await createUser(platform);
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  it('stores every acknowledged reading exactly once, with both tasks consuming', async () => {
    const base = Date.now() - 60_000;
    const registered = await mapWithLimit(
      Array.from({ length: devices }, (_, i) => i),
      4,
      (i) => user.api.registerDevice(`two tasks ${i}`),
    );
    await Promise.all(
      registered.map(async (device) => {
        const client = await connectDevice(platform, device);
        // 80 per second: under the broker's 100 publishes per second per connection.
        for (let seq = 1; seq <= readingsPerDevice; seq++) {
          await client.publishAsync(
            topics.telemetry(device.device.deviceId),
            JSON.stringify({ ts: base + seq, seq, temperature: seq % 40 }),
            {
              qos: 1,
            },
          );
          await new Promise((r) => setTimeout(r, 12));
        }
        await client.endAsync();
      }),
    );

    for (const device of registered) {
      const id = device.device.deviceId;
      await waitForStored(user, id, base, base + readingsPerDevice, readingsPerDevice);
      const stored = await allStoredReadings(user, id, base, base + readingsPerDevice);
      expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: readingsPerDevice }, (_, i) => i + 1));
    }

    // Each task counts the readings it wrote first (ReadingsStored; a reading already there counts as a
    // duplicate instead); its metrics reach its log within the 10 s EMF interval.
    const logs = dataLayout(platform.dataDir).serviceLogs;
    const total = devices * readingsPerDevice;
    let perTask: number[] = [];
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
      perTask = await Promise.all(['data.log', 'data-2.log'].map((f) => emfSum(join(logs, f), 'ReadingsStored')));
      if (perTask[0]! + perTask[1]! >= total) break;
    }
    expect(perTask[0]! + perTask[1]!).toBe(total);
    expect(perTask[0]).toBeGreaterThan(0);
    expect(perTask[1]).toBeGreaterThan(0);

    // The flag reached both tasks' consumers (INGEST_FLUSH_SPACING_MS in their environment).
    for (const file of ['data.log', 'data-2.log']) {
      const started = (await readFile(join(logs, file), 'utf8'))
        .split('\n')
        .filter((line) => line.includes('ingest consumer started'))
        .map((line) => JSON.parse(line) as { maxSpacingMs?: number; behindSpacingMs?: number });
      expect(started.at(-1)).toMatchObject({ maxSpacingMs: 0, behindSpacingMs: 250 });
    }
  }, 120_000);

  it('keeps answering through load balancer 3 while a task is killed, and the task is replaced', async () => {
    const url = platform.endpoints.services['data']?.url ?? '';
    const status = async () =>
      (
        (await (await fetch(`${platform.endpoints.awsEndpoint}/_fleet/status`)).json()) as {
          components: Record<string, { state: string; pid?: number; restarts: number }>;
        }
      ).components;
    const before = await status();
    expect(before['data']?.state).toBe('up');
    expect(before['data-2']?.state).toBe('up');
    process.kill(before['data-2']?.pid ?? -1, 'SIGKILL');
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await fetch(`${url}/data/health`)).status);
    expect(answers).toEqual([200, 200, 200, 200, 200, 200]);
    let after = await status();
    for (const deadline = Date.now() + 30_000; after['data-2']?.state !== 'up' && Date.now() < deadline; after = await status()) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(after['data-2']).toMatchObject({ state: 'up', restarts: 1 });
  }, 60_000);
});
