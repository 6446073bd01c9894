/**
 * The data's whole life, end to end over real processes and sockets (issue 13):
 *
 * 1. A year of 1-minute history (525,600 readings) is imported for a device the way a user migrating
 *    from another system would: a CSV uploaded straight to S3 through the presigned link of an import
 *    job, then started; the report counts every row and names the rejected lines.
 * 2. The browser charts it at the one-year range: the time axis spans the year, the chart says it
 *    was read from the 1-hour rollups, and the rollups' counts add up to every imported reading.
 * 3. It is exported back as CSV through an export job's presigned download link and compared with the
 *    import line by line.
 * 4. Readings published over MQTT are archived to S3; the telemetry and rollup tables are deleted and
 *    recreated, an archive replay job rebuilds them, and the counts are the same.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  rollupsTable,
  telemetryTable,
  topics,
  type DataJob,
  type DataJobInput,
  type ReadingIntervals,
  type TableDefinition,
} from '@fleet/core';
import { createTableInput } from '@fleet/local-cloud/testing';
import { FleetApiError } from '@fleet/simulator';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { hasChromium, launchChromium, signIn } from './browser-session.ts';
import { allStoredReadings, connectDevice, createAdmin, type FleetUser } from './fleet-user.ts';
import { lastStartedStoppedAfterAll } from './kept-state.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';

const minuteMs = 60_000;
const yearMinutes = 365 * 24 * 60;

/** A deterministic daily cycle with two decimals, as a real sensor's export would hold. */
const temperatureAt = (i: number) => Math.round((20 + 8 * Math.sin((i * 2 * Math.PI) / 1440) + (i % 7) / 10) * 100) / 100;

async function runJob(user: FleetUser, input: DataJobInput, timeoutMs: number, upload?: string): Promise<DataJob> {
  let job = await user.api.call<DataJob>('POST', '/api/data-jobs', input);
  if (upload !== undefined) {
    expect(job.status).toBe('awaiting-upload');
    const put = await fetch(job.upload!.url, { method: 'PUT', headers: { 'content-type': job.upload!.contentType }, body: upload });
    expect(put.status, await put.text()).toBe(200);
    job = await user.api.call<DataJob>('POST', `/api/data-jobs/${job.id}/start`);
  }
  const deadline = Date.now() + timeoutMs;
  while (job.status !== 'succeeded' && job.status !== 'failed' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    try {
      job = await user.api.call<DataJob>('GET', `/api/data-jobs/${job.id}`);
    } catch (err) {
      // A status poll answered "try again later" (502/503) while the Data Service was busy or being
      // replaced is polled again, as the web app's poller does; the job's outcome is what is judged.
      if (!(err instanceof FleetApiError && (err.status === 502 || err.status === 503))) throw err;
      console.warn(`polling data job ${job.id}: ${err.message}`);
    }
  }
  expect(job, JSON.stringify(job)).toMatchObject({ status: 'succeeded' });
  return job;
}

/** `ts,seq,temperature` rows of a CSV, and the `deviceId` column's values that were not `deviceId` (when given). */
function csvRows(text: string, deviceId?: string): { rows: string[]; otherDevices: number } {
  const [header, ...lines] = text.trimEnd().split('\n');
  const columns = header!.split(',');
  const [ts, seq, temperature, device] = ['ts', 'seq', 'temperature', 'deviceId'].map((name) => columns.indexOf(name));
  let otherDevices = 0;
  const rows = lines.map((line) => {
    const cells = line.split(',');
    if (deviceId !== undefined && cells[device!] !== deviceId) otherDevices++;
    return `${cells[ts!]},${cells[seq!]},${Number(cells[temperature!])}`;
  });
  return { rows, otherDevices };
}

async function recreateTable(client: DynamoDBClient, table: TableDefinition): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: table.id }));
  await waitUntilTableNotExists({ client, maxWaitTime: 60 }, { TableName: table.id });
  await client.send(new CreateTableCommand(createTableInput(table)));
  // A new table is CREATING for a moment (on AWS, seconds): the services' reads would fail until it is ACTIVE.
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: table.id });
  if (table.timeToLiveAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table.id,
        TimeToLiveSpecification: { Enabled: true, AttributeName: table.timeToLiveAttribute },
      }),
    );
  }
}

describe.skipIf(deployedEndpointsFile || !hasChromium)("the data's life", () => {
  const stoppedAfterAll = lastStartedStoppedAfterAll();
  let platform: PlatformProcess;
  let admin: FleetUser;
  // Each test runs alone too (`-t`): the platform and its admin are made before either.
  beforeAll(async () => {
    platform = stoppedAfterAll(await startPlatformProcess());
    admin = await createAdmin(platform);
  }, 120_000);

  it(
    'imports a year of 1-minute history, charts it at one year in the browser, and exports it back line by line',
    async () => {
      // Raw readings are kept for a month by default: a year of history asks for more.
      await admin.api.call('PUT', '/api/retention', {
        fleet: { rawDays: 400, minuteDays: 400, hourDays: 730, dayDays: 3650, archiveDays: 365 },
        groups: {},
      });
      const { device } = await admin.api.registerDevice('e2e migrated boiler');
      const deviceId = device.deviceId;

      const start = Math.floor((Date.now() - 366 * 86_400_000) / minuteMs) * minuteMs;
      const rows = Array.from({ length: yearMinutes }, (_, i) => `${start + i * minuteMs},${i},${temperatureAt(i)}`);
      // Two lines another system might have left: both refused with their line numbers, the rest kept.
      const lines = ['ts,seq,temperature', ...rows.slice(0, 1000), 'not-a-time,1000000,1', ...rows.slice(1000), `${start},7,warm`];
      const csv = `${lines.join('\n')}\n`;
      const began = Date.now();
      const imported = await runJob(admin, { kind: 'import', deviceId, format: 'csv', bytes: Buffer.byteLength(csv) }, 15 * 60_000, csv);
      console.log(
        `imported ${yearMinutes} readings (${(csv.length / 1e6).toFixed(1)} MB) in ${((Date.now() - began) / 1000).toFixed(0)} s`,
      );
      expect(imported.result).toMatchObject({ accepted: yearMinutes, duplicates: 0, rejected: 2 });
      expect(imported.result?.errors?.map((e) => e.line)).toEqual([1002, lines.length]);

      // The same first thousand rows again: idempotent on (device, ts, seq).
      const again = `${lines.slice(0, 1001).join('\n')}\n`;
      const reimported = await runJob(admin, { kind: 'import', deviceId, format: 'csv', bytes: Buffer.byteLength(again) }, 120_000, again);
      expect(reimported.result).toMatchObject({ accepted: 0, duplicates: 1000, rejected: 0 });

      // The one-year chart is read from rollups, and every imported reading is in it once.
      const to = start + yearMinutes * minuteMs;
      const chart = await admin.api.call<ReadingIntervals>(
        'GET',
        `/api/devices/${deviceId}/telemetry?from=${start}&to=${to}&maxPoints=500`,
      );
      expect(chart.resolution).toBe('1h');
      expect(chart.metrics['temperature']!.reduce((n, i) => n + i.count, 0)).toBe(yearMinutes);
      // The lowest value of the year, found by the rollups as by a scan of the file (a spread of 525,600 would overflow the stack).
      const lowest = (values: number[]) => values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
      expect(lowest(chart.metrics['temperature']!.map((i) => i.min))).toBe(lowest(rows.map((r) => Number(r.split(',')[2]))));

      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        await page.goto(`${platform.endpoints.gatewayUrl}/devices/${deviceId}`);
        await signIn(page, admin.email, admin.password);
        await page.getByTestId('range-1y').click();
        const chartEl = page.getByTestId('history-chart-temperature');
        await expect
          .poll(async () => Number(await chartEl.getAttribute('data-points').catch(() => '0')), { timeout: 30_000 })
          .toBeGreaterThan(250);
        // What a person sees: the time axis spans the selected year; its 300 points are read from the day rollups.
        const spanDays = Number(await chartEl.getAttribute('data-x-span-s')) / 86_400;
        expect(spanDays).toBeGreaterThan(364);
        expect(spanDays).toBeLessThan(367);
        await expect.poll(() => page.locator('main').textContent()).toContain('Computed from 1-day rollups');
        await mkdir(`${platform.dataDir}/..`, { recursive: true });
        await page.screenshot({ path: `${platform.dataDir}/../fleet-data-life-year-chart.png`, fullPage: true });
      } finally {
        await browser.close();
      }

      // Exported back through the presigned link: the same rows, in the same order.
      const exported = await runJob(admin, { kind: 'export', deviceIds: [deviceId], from: start, to, format: 'csv' }, 10 * 60_000);
      expect(exported.result?.readings).toBe(yearMinutes);
      const download = await fetch(exported.result!.downloadUrl!);
      expect(download.status).toBe(200);
      const { rows: exportedRows, otherDevices } = csvRows(await download.text(), deviceId);
      expect(otherDevices).toBe(0);
      expect(exportedRows.length).toBe(rows.length);
      const { rows: importedRows } = csvRows(`ts,seq,temperature\n${rows.join('\n')}\n`);
      const firstDifference = importedRows.findIndex((row, i) => row !== exportedRows[i]);
      expect(firstDifference, `line ${firstDifference + 2}: ${importedRows[firstDifference]} vs ${exportedRows[firstDifference]}`).toBe(-1);
      // Comparing half a million rows held this process's event loop for seconds, in which the gateway closed
      // the idle keep-alive connection; a turn of the loop lets the HTTP client see that before reusing it.
      await new Promise((resolve) => setTimeout(resolve, 100));
    },
    40 * 60_000,
  );

  it(
    'rebuilds deleted telemetry and rollup tables from the S3 archive to the same counts',
    async () => {
      const { device, credentials } = await admin.api.registerDevice(`e2e archived ${randomBytes(3).toString('hex')}`);
      const deviceId = device.deviceId;
      const client = await connectDevice(platform, { device, credentials });
      const from = Date.now() - 60_000;
      const published = 300;
      let acknowledged = 0;
      for (let seq = 0; seq < published; seq++) {
        // Paced under AWS IoT's 100 publishes/s per connection; each resolves on its PUBACK.
        await client.publishAsync(topics.telemetry(deviceId), JSON.stringify({ ts: from + seq * 100, seq, temperature: seq / 4 }), {
          qos: 1,
        });
        acknowledged++;
        if (seq % 40 === 39) await new Promise((r) => setTimeout(r, 500));
      }
      await client.endAsync();
      const to = Date.now();
      await expect
        .poll(async () => (await allStoredReadings(admin, deviceId, from, to)).length, { timeout: 60_000, interval: 1000 })
        .toBe(acknowledged);
      const countsOf = async () => {
        const raw = await allStoredReadings(admin, deviceId, from, to);
        const chart = await admin.api.call<ReadingIntervals>(
          'GET',
          `/api/devices/${deviceId}/telemetry?from=${from - 3_600_000}&to=${to}&maxPoints=10`,
        );
        return {
          raw: raw.length,
          distinct: new Set(raw.map((r) => r.seq)).size,
          rolledUp: chart.metrics['temperature']?.reduce((n, i) => n + i.count, 0),
        };
      };
      // The rollups follow the raw readings by up to a few seconds (folded in rounds): waited for as the raw count is.
      const whole = { raw: acknowledged, distinct: acknowledged, rolledUp: acknowledged };
      await expect.poll(countsOf, { timeout: 60_000, interval: 1000 }).toEqual(whole);

      // A fresh stack: the time series and its rollups are gone.
      const dynamo = new DynamoDBClient({
        endpoint: platform.endpoints.awsEndpoint,
        region: platform.endpoints.region,
        credentials: await platform.credentials(),
      });
      await recreateTable(dynamo, telemetryTable);
      await recreateTable(dynamo, rollupsTable);
      expect(await countsOf()).toEqual({ raw: 0, distinct: 0, rolledUp: undefined });

      const hour = 3_600_000;
      const replayed = await runJob(admin, { kind: 'replay', from: Math.floor(from / hour) * hour, to }, 5 * 60_000);
      expect(replayed.result?.readings).toBeGreaterThanOrEqual(acknowledged);
      await expect.poll(countsOf, { timeout: 60_000, interval: 1000 }).toEqual(whole);
    },
    10 * 60_000,
  );
});
