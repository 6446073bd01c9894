/**
 * Access by group in a real browser against a fresh local platform: an admin imports a CSV whose
 * rows put devices in two thing groups, downloads the certificate archive and sees the devices in
 * their group; on the Users screen the admin grants a second user, already signed in, only the
 * first group; at that user's next page load the tokens are refreshed and they see only that
 * group's devices (count and names), and a direct link to a device of the other group shows "not
 * found", as the API answers it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCsvRecords, type DevicePage } from '@fleet/core';
import { strFromU8, unzipSync } from 'fflate';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goToArea, hasChromium, launchChromium, signIn } from './browser-session.ts';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { createUser, type FleetUser } from './fleet-user.ts';
import { expectAccessible, saveScreenshot } from './page-checks.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';

// A fresh suffix per run: thing groups and users of an earlier run in a kept data folder stay apart.
const run = randomBytes(3).toString('hex');
const north = `e2e-north-${run}`;
const south = `e2e-south-${run}`;
const northNames = ['North pump 1', 'North pump 2', 'North pump 3'];
const southNames = ['South pump 1', 'South pump 2'];

describe.skipIf(!hasChromium || deployedEndpointsFile)('access by group in the web app', () => {
  let platform: PlatformProcess;
  let browser: Browser;
  let admin: FleetUser;
  let scoped: FleetUser;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    admin = await createUser(platform, { role: 'admin', emailPrefix: 'access-admin' });
    scoped = await createUser(platform, { role: 'viewer', emailPrefix: 'access-north' });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  }, 60_000);

  it('imports two groups, grants a user one of them, and that user sees only its devices', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'fleet-access-'));
    const file = join(folder, 'devices.csv');
    await writeFile(
      file,
      formatCsvRecords([['name', 'group'], ...northNames.map((n) => [n, north]), ...southNames.map((n) => [n, south])]),
    );
    const rows = northNames.length + southNames.length;

    // The admin imports the file, downloads the archive and sees the devices of each group.
    const adminContext = await browser.newContext({ acceptDownloads: true });
    const page = await adminContext.newPage();
    await page.goto(platform.endpoints.gatewayUrl);
    await signIn(page, admin.email, admin.password);
    await goToArea(page, 'Devices');
    await page.getByRole('button', { name: 'Import devices' }).click();
    await page.getByLabel('CSV file').setInputFiles(file);
    await expect.poll(() => page.getByTestId('import-preview-summary').textContent()).toContain(`${rows} rows`);
    await page.getByRole('button', { name: 'Start the import' }).click();
    await expect
      .poll(() => page.getByTestId('import-counts').textContent(), { timeout: 60_000 })
      .toBe(`${rows} of ${rows} rows: ${rows} created, 0 existing, 0 failed`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download credentials (ZIP)' }).click(),
    ]);
    const files = unzipSync(new Uint8Array(await readFile(await download.path())));
    // A certificate and a key per device, the root CA and the manifest.
    expect(Object.keys(files)).toHaveLength(rows * 2 + 2);
    expect(strFromU8(files['manifest.csv']!)).toContain('North pump 1');
    await page.getByRole('link', { name: `Devices of ${north}` }).click();
    await expect
      .poll(() => page.getByTestId('device-count').textContent(), { timeout: 15_000 })
      .toBe(`Page 1 · ${northNames.length} shown of ${northNames.length} matching`);

    // The second user, signed in before any grant, sees every device.
    const userContext = await browser.newContext();
    const userPage = await userContext.newPage();
    await userPage.goto(platform.endpoints.gatewayUrl);
    await signIn(userPage, scoped.email, scoped.password);
    await goToArea(userPage, 'Devices');
    await expect
      .poll(() => userPage.getByTestId('device-count').textContent(), { timeout: 15_000 })
      .toBe(`Page 1 · ${rows} shown of ${rows} matching`);
    expect(await userPage.getByTestId('device-access').count()).toBe(0);

    // The admin grants the second user only the north group on the Users screen.
    await goToArea(page, 'Admin');
    await page.getByTestId(`user-row-${scoped.email}`).waitFor();
    expect(await page.getByTestId(`device-access-${scoped.email}`).textContent()).toBe('All devices');
    expect(await page.getByTestId(`device-access-${admin.email}`).textContent()).toBe('All devices (admin)');
    await page.getByRole('button', { name: `Change device access of ${scoped.email}` }).click();
    await page.getByLabel(`Device access kind of ${scoped.email}`).selectOption('groups');
    await page.getByRole('checkbox', { name: north }).check();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Save access' }).click();
    await expect.poll(() => page.getByTestId(`device-access-${scoped.email}`).textContent()).toBe(`Only ${north}`);
    await saveScreenshot(page, 'access-by-group-users');

    const southIds = (await admin.api.call<DevicePage>('GET', `/api/devices?group=${south}`)).items.map((d) => d.deviceId);
    expect(southIds).toHaveLength(southNames.length);

    // The user's next page load finds the grant in /api/me, refreshes the tokens (which then carry
    // it) and sees only the north devices.
    await userPage.goto(platform.endpoints.gatewayUrl);
    await expect.poll(() => userPage.getByTestId('device-access').textContent()).toBe(`Groups: ${north}`);
    await goToArea(userPage, 'Devices');
    await expect
      .poll(() => userPage.getByTestId('device-count').textContent(), { timeout: 15_000 })
      .toBe(`Page 1 · ${northNames.length} shown of ${northNames.length} matching`);
    const listed = await userPage.locator('[data-testid^="device-row-"]').allTextContents();
    for (const name of northNames) expect(listed.join('\n')).toContain(name);
    for (const name of southNames) expect(listed.join('\n')).not.toContain(name);
    await expectAccessible(userPage);
    await saveScreenshot(userPage, 'access-by-group-devices');

    // A direct link to a device of the other group: "not found", exactly as for an id that does not exist.
    await userPage.goto(`${platform.endpoints.gatewayUrl}/devices/${encodeURIComponent(southIds[0]!)}`);
    await userPage.getByTestId('device-not-found').waitFor();
    expect(await userPage.getByTestId('device-not-found').textContent()).toContain(`Device "${southIds[0]}" is not registered`);
    await adminContext.close();
    await userContext.close();
  }, 240_000);
});
