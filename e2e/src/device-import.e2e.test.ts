/**
 * Bulk registration end to end over real processes and sockets: a 200-row CSV through the API
 * (POST /api/device-imports), its progress polled to the end, the credentials ZIP downloaded and
 * opened, one of its devices publishing with `mosquitto_pub` and its reading stored, the devices
 * listed in their group, and the same file imported again registering nothing new.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deviceImportPaths, formatCsvRecords, topics, type DeviceImportAnswer, type DevicePage } from '@fleet/core';
import { createDeviceKey } from '@fleet/core/device-key';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goToArea, hasChromium, launchChromium, signIn } from './browser-session.ts';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { expectAccessible, saveScreenshot } from './page-checks.ts';
import { createUser, waitForStored, type FleetUser } from './fleet-user.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';

const mosquitto = existsSync('/usr/bin/mosquitto_pub');
const rows = 200;
const group = 'e2e-import-batch';

describe.skipIf(deployedEndpointsFile)('bulk registration from a CSV file', () => {
  let platform: PlatformProcess;
  let user: FleetUser;
  beforeAll(async () => {
    platform = await startPlatformProcess();
    user = await createUser(platform);
  }, 120_000);
  afterAll(() => platform?.stop(), 60_000);

  // Half the rows name their id, half get one derived from the name.
  const csv = formatCsvRecords([
    ['name', 'deviceId', 'group', 'attr.batch'],
    ...Array.from({ length: rows }, (_, i) => [`Import sensor ${i}`, i % 2 === 0 ? `import-${i}` : '', group, 'b-1']),
  ]);

  async function importFile(): Promise<DeviceImportAnswer> {
    const started = await user.api.call<DeviceImportAnswer>('POST', deviceImportPaths.imports, { csv });
    expect(started.job.status).toBe('running');
    const deadline = Date.now() + 120_000;
    for (;;) {
      const answer = await user.api.call<DeviceImportAnswer>('GET', `${deviceImportPaths.one(started.job.importId)}?limit=1000`);
      if (answer.job.status !== 'running') return answer;
      if (Date.now() > deadline) throw new Error(`import still running after 120 s: ${JSON.stringify(answer.job.counts)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  const download = (importId: string) =>
    fetch(`${platform.endpoints.gatewayUrl}${deviceImportPaths.credentials(importId)}`, {
      headers: { authorization: `Bearer ${user.tokens.accessToken}` },
    });

  it('registers every row, hands out a ZIP whose certificates connect, lists the group, and a second run makes nothing new', async () => {
    const first = await importFile();
    expect(first.job).toMatchObject({
      status: 'succeeded',
      counts: { total: rows, done: rows, created: rows, existing: 0, failed: 0 },
      groups: [group],
      credentialsAvailable: true,
    });
    expect(first.results).toHaveLength(rows);

    const zip = await download(first.job.importId);
    expect(zip.status).toBe(200);
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    const manifest = strFromU8(files['manifest.csv']!).trim().split('\r\n');
    expect(manifest).toHaveLength(rows + 1);
    const ids = first.results.map((r) => r.deviceId as string);
    for (const id of ids) {
      expect(strFromU8(files[`${id}.cert.pem`]!)).toContain('BEGIN CERTIFICATE');
      expect(strFromU8(files[`${id}.private.key`]!)).toContain('PRIVATE KEY');
    }
    expect((await download(first.job.importId)).status).toBe(410);

    const page = await user.api.call<DevicePage>('GET', `/api/devices?group=${group}&limit=100`);
    expect(page.total).toBe(rows);

    if (mosquitto) {
      const id = ids[1]!;
      const folder = await mkdtemp(join(tmpdir(), 'fleet-import-'));
      for (const name of [`${id}.cert.pem`, `${id}.private.key`, 'root-ca.pem']) await writeFile(join(folder, name), files[name]!);
      const ts = Date.now() - 5_000;
      await promisify(execFile)('mosquitto_pub', [
        ...['--cafile', join(folder, 'root-ca.pem'), '--cert', join(folder, `${id}.cert.pem`), '--key', join(folder, `${id}.private.key`)],
        ...['-h', platform.endpoints.mqttHost, '-p', String(platform.endpoints.mqttPort), '-i', id, '-q', '1'],
        ...['-t', topics.telemetry(id), '-m', JSON.stringify({ ts, seq: 1, temperature: 19.5 })],
      ]);
      const stored = await waitForStored(user, id, ts - 1, ts + 1, 1);
      expect(stored.map((r) => r.seq)).toEqual([1]);
    }

    const again = await importFile();
    expect(again.job.counts).toEqual({ total: rows, done: rows, created: 0, existing: rows, failed: 0 });
    expect(again.results.map((r) => r.deviceId)).toEqual(ids);
    expect((await download(again.job.importId)).status).toBe(410);
  }, 300_000);

  it("signs the devices' own CSRs: the archive holds their certificates and no key, and a device publishes with the key it kept", async () => {
    const keys = await Promise.all(['csr-import-1', 'csr-import-2'].map(async (id) => ({ id, key: await createDeviceKey(id) })));
    const started = await user.api.call<DeviceImportAnswer>('POST', deviceImportPaths.imports, {
      csv: formatCsvRecords([['name', 'deviceId', 'group', 'csr'], ...keys.map(({ id, key }) => [`Own key ${id}`, id, group, key.csrPem])]),
    });
    let answer = started;
    for (const deadline = Date.now() + 60_000; answer.job.status === 'running' && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 300));
      answer = await user.api.call<DeviceImportAnswer>('GET', deviceImportPaths.one(started.job.importId));
    }
    expect(answer.job.counts).toEqual({ total: 2, done: 2, created: 2, existing: 0, failed: 0 });
    const files = unzipSync(new Uint8Array(await (await download(started.job.importId)).arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual(['csr-import-1.cert.pem', 'csr-import-2.cert.pem', 'manifest.csv', 'root-ca.pem']);

    if (mosquitto) {
      const { id, key } = keys[0]!;
      const folder = await mkdtemp(join(tmpdir(), 'fleet-import-csr-'));
      await writeFile(join(folder, 'device.key'), key.privateKeyPem);
      for (const name of [`${id}.cert.pem`, 'root-ca.pem']) await writeFile(join(folder, name), files[name]!);
      const ts = Date.now() - 5_000;
      await promisify(execFile)('mosquitto_pub', [
        ...['--cafile', join(folder, 'root-ca.pem'), '--cert', join(folder, `${id}.cert.pem`), '--key', join(folder, 'device.key')],
        ...['-h', platform.endpoints.mqttHost, '-p', String(platform.endpoints.mqttPort), '-i', id, '-q', '1'],
        ...['-t', topics.telemetry(id), '-m', JSON.stringify({ ts, seq: 7, temperature: 20.5 })],
      ]);
      expect((await waitForStored(user, id, ts - 1, ts + 1, 1)).map((r) => r.seq)).toEqual([7]);
    }
  }, 120_000);

  it.skipIf(!hasChromium)(
    'in the browser: a CSV chosen, previewed and imported with its progress, the ZIP downloaded, the devices listed in their group',
    async () => {
      const browserGroup = 'e2e-browser-import';
      const browserRows = 20;
      const folder = await mkdtemp(join(tmpdir(), 'fleet-import-browser-'));
      const file = join(folder, 'devices.csv');
      await writeFile(
        file,
        formatCsvRecords([['name', 'group'], ...Array.from({ length: browserRows }, (_, i) => [`Browser sensor ${i}`, browserGroup])]),
      );
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ acceptDownloads: true });
        await page.goto(platform.endpoints.gatewayUrl);
        await signIn(page, user.email, user.password);
        await goToArea(page, 'Devices');
        await page.getByRole('button', { name: 'Import devices' }).click();
        await page.getByLabel('CSV file').setInputFiles(file);
        await expect.poll(() => page.getByTestId('import-preview-summary').textContent()).toContain(`${browserRows} rows`);
        expect(await page.getByTestId('import-preview').getByRole('row').count()).toBe(1 + 5);
        await page.getByRole('button', { name: 'Start the import' }).click();
        await expect
          .poll(() => page.getByTestId('import-counts').textContent(), { timeout: 60_000 })
          .toBe(`${browserRows} of ${browserRows} rows: ${browserRows} created, 0 existing, 0 failed`);
        expect(await page.getByTestId('import-progress').getAttribute('value')).toBe(String(browserRows));
        await expectAccessible(page);
        await saveScreenshot(page, 'device-import');

        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: 'Download credentials (ZIP)' }).click(),
        ]);
        const files = unzipSync(new Uint8Array(await readFile(await download.path())));
        expect(Object.keys(files)).toHaveLength(browserRows * 2 + 2);
        expect(await page.getByRole('button', { name: 'Download credentials (ZIP)' }).count()).toBe(0);

        await page.getByRole('link', { name: `Devices of ${browserGroup}` }).click();
        await expect
          .poll(() => page.getByTestId('device-count').textContent(), { timeout: 15_000 })
          .toBe(`Page 1 · ${browserRows} shown of ${browserRows} matching`);
        await saveScreenshot(page, 'device-import-group');
      } finally {
        await browser.close();
      }
    },
    180_000,
  );
});
