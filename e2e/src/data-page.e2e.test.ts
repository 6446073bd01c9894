/**
 * The Data page in a real browser (Debian's Chromium driven by playwright-core), against the whole
 * platform: an admin changes the fleet's retention and finds it kept after a reload; imports a
 * small CSV for a device (uploaded straight to S3 through the presigned link) and reads its report,
 * a rejected line with its reason included; exports the device back as CSV, downloads it through the
 * job's link and finds the imported rows, no more, no fewer; charts them on the device page over an
 * hour (raw readings) and a year (day rollups), the time axis spanning the chosen range.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { expectAccessible, saveScreenshot } from './page-checks.ts';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { hasChromium, launchChromium, signUpAndSignIn } from './browser-session.ts';

/** Epoch ms → a `datetime-local` value in the browser's (and this process's) time zone. */
const localInput = (ms: number) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/** The rows of a CSV without quoting (what an export of numbers and device ids is), header first. */
const csvRows = (text: string) =>
  text
    .trim()
    .split(/\r?\n/)
    .map((line) => line.split(','));

// Reads the sign-up code from the local cloud's data folder: local only (on AWS it arrives by mail).
describe.skipIf(!hasChromium || deployedEndpointsFile)('the Data page in a browser', () => {
  let platform: PlatformProcess;
  let browser: Browser;
  let page: Page;
  let deviceId: string;
  /** What the page shows now, checked by axe-core and kept as an artifact. */
  const shot = async (name: string) => {
    await expectAccessible(page);
    await saveScreenshot(page, `data-page-${name}`);
  };

  /** The job row the page shows for the newest job of a kind, once it has finished. */
  async function finishedJob(kind: 'import' | 'export'): Promise<Locator> {
    const row = page.locator(`[data-kind=${kind}]`).first();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 120_000, interval: 500 }).toMatch(/^(succeeded|failed)$/);
    expect(await row.getAttribute('data-status'), (await row.textContent()) ?? '').toBe('succeeded');
    return row;
  }

  beforeAll(async () => {
    platform = await startPlatformProcess();
    browser = await launchChromium();
    page = await browser.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  }, 60_000);

  it('keeps a changed fleet retention across a reload, and shows the problems of an inconsistent one before saving', async () => {
    // The first user of this fresh platform is its admin (signed up here: the session helpers poll, which only a test may).
    await signUpAndSignIn(
      page,
      platform,
      `data-${randomBytes(4).toString('hex')}@example.com`,
      `Passw0rd-${randomBytes(6).toString('hex')}`,
    );
    // Registered on the app's page, as a user would (the app's session carries the admin role the API gave the first user).
    await page.getByRole('button', { name: 'Register a device' }).click();
    await page.fill('input[name=name]', 'Migrated sensor');
    const registration = page.waitForResponse((r) => r.url().endsWith('/api/devices') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Register' }).click();
    deviceId = ((await (await registration).json()) as { device: { deviceId: string } }).device.deviceId;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data', exact: true }).click();
    await expect.poll(() => page.getByTestId('retention-fleet-rawDays').textContent(), { timeout: 15_000 }).toBe('30');
    await page.getByRole('button', { name: 'Edit retention' }).click();
    // Raw readings kept longer than their minute rollups: refused before anything is sent.
    await page.getByLabel('Fleet Raw readings (days)').fill('120');
    await expect
      .poll(() => page.getByTestId('retention-problems').textContent())
      .toContain('minuteDays (90) must be at least rawDays (120)');
    expect(await page.getByRole('button', { name: 'Save retention' }).isDisabled()).toBe(true);
    await page.getByLabel('Fleet Raw readings (days)').fill('45');
    await page.getByRole('button', { name: 'Save retention' }).click();
    await expect.poll(() => page.getByTestId('retention-fleet-rawDays').textContent(), { timeout: 15_000 }).toBe('45');
    await page.reload();
    await expect.poll(() => page.getByTestId('retention-fleet-rawDays').textContent(), { timeout: 15_000 }).toBe('45');
    await shot('retention');
  }, 120_000);

  it('imports a CSV with its report, then exports it as CSV and downloads the same rows through the link', async () => {
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
    const good = [0, 1, 2].map((i) => ({ ts: start + i * 60_000, seq: i + 1, temperature: 20.5 + i }));
    // Line 1 is the header; line 5 is not a number.
    const csv = ['ts,seq,temperature', ...good.map((r) => `${r.ts},${r.seq},${r.temperature}`), `${start + 3 * 60_000},4,warm`].join('\n');
    const file = `${platform.dataDir}/../data-page-import-${deviceId}.csv`;
    await writeFile(file, `${csv}\n`);

    await page.getByLabel('Import device id').fill(deviceId);
    await page.getByLabel('Import file').setInputFiles(file);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const imported = await finishedJob('import');
    expect(await imported.getByTestId('report-accepted').textContent()).toBe('3');
    expect(await imported.getByTestId('report-duplicates').textContent()).toBe('0');
    expect(await imported.getByTestId('report-rejected').textContent()).toBe('1');
    expect(await imported.getByTestId('report-errors').textContent()).toMatch(/^line 5: .+/);
    await shot('import');

    await page.getByLabel('Device ids').fill(deviceId);
    await page.getByLabel('Export from').fill(localInput(start - 60_000));
    await page.getByLabel('Export to').fill(localInput(start + 10 * 60_000));
    await page.getByLabel('Format').selectOption('csv');
    await page.getByRole('button', { name: 'Start export' }).click();
    const exported = await finishedJob('export');
    const link = exported.getByRole('link', { name: /^Download/ });
    if ((await link.count()) === 0) await exported.getByRole('button', { name: 'Get the download link' }).click();
    const href = await link.getAttribute('href', { timeout: 15_000 });
    expect(href).toBeTruthy();
    const download = await fetch(href ?? '');
    expect(download.status).toBe(200);
    const [header = [], ...rows] = csvRows(await download.text());
    // The contract names the columns (ts, seq, deviceId, one per metric), not their order: each is read by its name.
    expect([...header].sort()).toEqual(['deviceId', 'seq', 'temperature', 'ts']);
    const at = (row: string[], name: string) => row[header.indexOf(name)] ?? '';
    // ts may be written as epoch ms or ISO 8601: compared as instants.
    const instant = (ts: string) => (/^\d+$/.test(ts) ? Number(ts) : Date.parse(ts));
    const downloaded = rows.map((r) => ({
      ts: instant(at(r, 'ts')),
      seq: Number(at(r, 'seq')),
      deviceId: at(r, 'deviceId'),
      temperature: Number(at(r, 'temperature')),
    }));
    expect(downloaded).toEqual(good.map((r) => ({ ...r, deviceId })));
    await shot('export');
  }, 300_000);

  it('charts the imported readings on the device page over a year from day rollups, the axis spanning the whole year', async () => {
    await page.goto(`${platform.endpoints.gatewayUrl}/devices/${deviceId}`);
    const chart = page.getByTestId('history-chart-temperature');
    // An hour of 300 points (12 s each) is read from the raw readings.
    await page.getByTestId('range-1h').click();
    await expect
      .poll(() => page.getByTestId('history-resolution').textContent(), { timeout: 15_000 })
      .toMatch(/^Computed from raw readings/);
    await expect.poll(() => chart.getAttribute('data-points')).toBe('3');
    // A year of 300 points (29.2 h each) is read from the 1-day rollups: the coarsest level no wider than a point.
    await page.getByTestId('range-1y').click();
    await expect
      .poll(() => page.getByTestId('history-resolution').textContent(), { timeout: 15_000 })
      .toMatch(/^Computed from 1-day rollups/);
    await expect.poll(() => chart.getAttribute('data-x-span-s')).toBe(String(365 * 86_400));
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(0);
    await shot('device-year');
  }, 120_000);
});
