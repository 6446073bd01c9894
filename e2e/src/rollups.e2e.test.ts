/**
 * Rollups and retention end to end: a device publishes with QoS 1, part of it twice, while the Data
 * Service is killed with SIGKILL and replaced; the charts at 1-minute and 1-hour resolution then
 * count every acknowledged reading exactly once. A day chart ending now counts readings stored seconds
 * ago, before live ingest wrote their rollups. The retention settings are read and changed through
 * the gateway with each role's token.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRetentionSettings, topics, type ReadingIntervals } from '@fleet/core';
import { FleetApiError } from '@fleet/simulator';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { fleetUnderTest, type FleetUnderTest } from './platform-process.ts';
import { connectDevice, createAdmin, createUser, waitForStored, type FleetUser } from './fleet-user.ts';

const value = (seq: number) => 20 + (seq % 17);

describe('rollups and retention end to end', () => {
  let platform: FleetUnderTest;
  let user: FleetUser;

  beforeAll(async () => {
    platform = await fleetUnderTest(deployedEndpointsFile);
    user = await createUser(platform);
  }, 120_000);
  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  /** 80 publishes per second at most (AWS IoT closes a connection above 100 per second). */
  async function publish(client: MqttClient, deviceId: string, base: number, seqs: readonly number[], onEach?: (seq: number) => void) {
    let next = Date.now();
    for (const seq of seqs) {
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      next = Math.max(next, Date.now()) + 12.5;
      await client.publishAsync(topics.telemetry(deviceId), JSON.stringify({ ts: base + seq * 30_000, seq, temperature: value(seq) }), {
        qos: 1,
      });
      onEach?.(seq);
    }
  }

  /** The chart once its counts reach `total` (rollups are written right after the raw window), or the last answer. */
  async function chartWhenComplete(
    deviceId: string,
    from: number,
    to: number,
    maxPoints: number,
    total: number,
  ): Promise<ReadingIntervals> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      let answer: ReadingIntervals | undefined;
      try {
        answer = await user.api.call<ReadingIntervals>(
          'GET',
          `/api/devices/${deviceId}/telemetry?from=${from}&to=${to}&maxPoints=${maxPoints}`,
        );
      } catch (err) {
        if (!(err instanceof FleetApiError && (err.status === 502 || err.status === 503))) throw err;
      }
      const counted = (answer?.metrics['temperature'] ?? []).reduce((n, i) => n + i.count, 0);
      if (answer && (counted >= total || Date.now() > deadline)) return answer;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  it('counts each acknowledged reading once in the 1-minute and 1-hour charts, through duplicates and a killed Data Service', async () => {
    const device = await user.api.registerDevice('e2e rollups');
    const id = device.device.deviceId;
    const client = await connectDevice(platform, device);
    // 15 s into a minute: the first reading (at +30 s) falls in the range's partial first minute, the
    // ragged edge the chart reads from raw readings, on every run.
    const base = Math.floor((Date.now() - 3 * 3_600_000) / 60_000) * 60_000 + 15_000;
    const seqs = Array.from({ length: 300 }, (_, i) => i + 1);
    const pid = deployedEndpointsFile ? undefined : platform.endpoints.services?.data?.pid;
    await publish(client, id, base, seqs, (seq) => {
      if (seq === 150 && pid) process.kill(pid, 'SIGKILL');
    });
    // A device re-sending what it is unsure of: the first fifty again.
    await publish(client, id, base, seqs.slice(0, 50));
    await client.endAsync();
    expect(await waitForStored(user, id, base, base + 301 * 30_000, 300, 90_000)).toHaveLength(300);

    const to = base + 3 * 3_600_000;
    const minutes = await chartWhenComplete(id, base, to, 60, 300);
    expect(minutes.resolution).toBe('1m');
    // Brute force: every reading in the interval holding its minute, or its own time when its minute
    // starts before `base` (that ragged edge is read from raw readings, as the range plan says).
    const expected = new Map<number, { min: number; max: number; sum: number; count: number }>();
    for (const seq of seqs) {
      const ts = base + seq * 30_000;
      const minute = ts - (ts % 60_000);
      const at = minute < base ? ts : minute;
      const t = base + Math.floor((at - base) / minutes.intervalMs) * minutes.intervalMs;
      const a = expected.get(t) ?? { min: Infinity, max: -Infinity, sum: 0, count: 0 };
      expected.set(t, { min: Math.min(a.min, value(seq)), max: Math.max(a.max, value(seq)), sum: a.sum + value(seq), count: a.count + 1 });
    }
    expect(minutes.metrics['temperature']).toEqual(
      [...expected].sort(([a], [b]) => a - b).map(([t, a]) => ({ t, min: a.min, max: a.max, avg: a.sum / a.count, count: a.count })),
    );

    // 30 days in 500 points: hour rollups; every reading of the three hours counted once.
    const month = await chartWhenComplete(id, to - 30 * 86_400_000, to, 500, 300);
    expect(month.resolution).toBe('1h');
    expect((month.metrics['temperature'] ?? []).reduce((n, i) => n + i.count, 0)).toBe(300);
  }, 240_000);

  it('counts, in a day chart read from rollups, the readings of the last seconds before their rollups are written', async () => {
    const device = await user.api.registerDevice('e2e fresh chart');
    const id = device.device.deviceId;
    const client = await connectDevice(platform, device);
    // Eleven readings a second apart in the last seconds of a minute, sent just after it ended: the
    // chart reads that whole minute from its rollup, which live ingest writes up to 5 s after the
    // readings; what lies in the last 15 s before now it reads from raw readings instead. The first
    // reading is stored alone, so that its fold starts the 5 s the next ten wait for theirs.
    const minuteEnd = Math.ceil(Date.now() / 60_000) * 60_000;
    await new Promise((resolve) => setTimeout(resolve, minuteEnd + 200 - Date.now()));
    const newest = minuteEnd - 1000;
    const send = (seq: number) =>
      client.publishAsync(topics.telemetry(id), JSON.stringify({ ts: newest - (11 - seq) * 1000, seq, temperature: value(seq) }), {
        qos: 1,
      });
    await send(1);
    expect(await waitForStored(user, id, newest - 10_000, newest, 1, 30_000)).toHaveLength(1);
    for (let seq = 2; seq <= 11; seq++) await send(seq);
    await client.endAsync();
    expect(await waitForStored(user, id, newest - 10_000, newest, 11, 30_000)).toHaveLength(11);
    const to = Date.now();
    const day = await user.api.call<ReadingIntervals>('GET', `/api/devices/${id}/telemetry?from=${to - 86_400_000}&to=${to}&maxPoints=500`);
    expect(day.resolution).toBe('1m');
    const intervals = day.metrics['temperature'] ?? [];
    const values = Array.from({ length: 11 }, (_, i) => value(i + 1));
    expect(intervals.reduce((n, i) => n + i.count, 0)).toBe(11);
    expect(Math.min(...intervals.map((i) => i.min))).toBe(Math.min(...values));
    expect(Math.max(...intervals.map((i) => i.max))).toBe(Math.max(...values));
  }, 150_000);

  it('answers the retention settings to an operator and lets only an admin change them', async () => {
    expect(await user.api.call('GET', '/data/retention')).toEqual(defaultRetentionSettings);
    const input = { fleet: { ...defaultRetentionSettings.fleet, rawDays: 20 }, groups: { freezers: { hourDays: 1000 } } };
    await expect(user.api.call('PUT', '/data/retention', input)).rejects.toMatchObject({ status: 403 });
    const admin = await createAdmin(platform);
    expect(await admin.api.call('PUT', '/data/retention', input)).toMatchObject({ ...input, updatedBy: expect.any(String) });
    expect(await user.api.call('GET', '/data/retention')).toMatchObject(input);
    await admin.api.call('PUT', '/data/retention', { fleet: defaultRetentionSettings.fleet, groups: {} });
  }, 60_000);
});
