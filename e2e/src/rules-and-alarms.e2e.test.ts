/**
 * Rules and alarms in a real browser against a fresh local platform, on a phone-width screen: an
 * admin opens Rules from the navigation, runs a SQL statement on a sample message and sees the
 * output, then sees a syntax error pointed at; and defines an alarm on the Alarms page and sees it
 * listed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createAdmin, type FleetUser } from './fleet-user.ts';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { goToArea, hasChromium, launchChromium, signIn } from './browser-session.ts';
import { expectAccessible, saveScreenshot } from './page-checks.ts';

describe.skipIf(!hasChromium || deployedEndpointsFile)('rules and alarms in the web app', () => {
  let platform: PlatformProcess;
  let admin: FleetUser;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    admin = await createAdmin(platform);
    browser = await launchChromium();
    // A phone's screen: the navigation folds behind the Menu button.
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  }, 60_000);

  it('runs a SQL statement on a sample message and shows the output, or the error at its position', async () => {
    await page.goto(platform.endpoints.gatewayUrl);
    await signIn(page, admin.email, admin.password);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await page.getByRole('button', { name: 'Menu' }).click();
    for (const name of ['Devices', 'Alarms', 'Rules', 'Notifications', 'Admin'])
      await expect.poll(() => nav.getByRole('link', { name, exact: true }).isVisible()).toBe(true);
    await goToArea(page, 'Rules');
    const bench = page.getByRole('region', { name: 'Test a rule' });

    await bench
      .getByLabel('SQL statement')
      .fill("SELECT topic(3) AS deviceId, temperature * 2 AS doubled FROM 'fleet/devices/+/telemetry' WHERE temperature > 80");
    await bench.getByLabel('Topic of the sample message').fill('fleet/devices/boiler-7/telemetry');
    await bench.getByLabel('Sample payload (JSON, or any text)').fill('{ "ts": 1732440000000, "seq": 1, "temperature": 90 }');
    await bench.getByRole('button', { name: 'Run test' }).click();
    await expect
      .poll(async () => JSON.parse((await bench.getByTestId('rule-test-output').textContent({ timeout: 10_000 })) ?? 'null') as unknown)
      .toEqual({ deviceId: 'boiler-7', doubled: 180 });

    await bench.getByLabel('Sample payload (JSON, or any text)').fill('{ "temperature": 20 }');
    await bench.getByRole('button', { name: 'Run test' }).click();
    await bench.getByTestId('rule-test-no-match').waitFor({ timeout: 10_000 });

    await bench.getByLabel('SQL statement').fill("SELECT temperature FROM 'fleet/#' WHERE temperature >");
    await bench.getByRole('button', { name: 'Run test' }).click();
    await expect.poll(() => bench.getByTestId('error-message').textContent()).toMatch(/^SQL error at position \d+: /);
    expect(await bench.getByTestId('error-code').textContent()).toBe('ValidationError');
    // The caret sits under the end of the statement, where the operand is missing.
    const pointer = (await bench.getByTestId('rule-test-error-position').textContent()) ?? '';
    expect(pointer.split('\n')[1]?.indexOf('^')).toBeGreaterThan("SELECT temperature FROM 'fleet/#' WHERE".length);
    await expectAccessible(page);
    await saveScreenshot(page, 'rules-page');
  }, 60_000);

  it('defines an alarm on the Alarms page and sees it listed', async () => {
    await goToArea(page, 'Alarms');
    await page.getByRole('button', { name: 'New alarm' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Boiler too hot');
    await page.getByLabel('Watch', { exact: true }).selectOption('fleet');
    await page.getByLabel('Condition', { exact: true }).selectOption('above');
    await page.getByLabel('Metric', { exact: true }).fill('temperature');
    await page.getByLabel('Threshold', { exact: true }).fill('85.5');
    await page.getByLabel('Duration', { exact: true }).selectOption('forSeconds');
    await page.getByLabel('Seconds', { exact: true }).fill('60');
    await page.getByLabel('Severity', { exact: true }).selectOption('critical');
    await page.getByRole('button', { name: 'Create alarm' }).click();
    const listed = page.getByTestId('alarm-definition-list');
    await expect.poll(() => listed.textContent(), { timeout: 10_000 }).toContain('Boiler too hot');
    expect(await listed.textContent()).toContain('temperature > 85.5, for 60 s');
    expect(await listed.textContent()).toContain('every device');
    await expectAccessible(page);
    await saveScreenshot(page, 'alarms-page');
    await goToArea(page, 'Notifications');
    await page.getByRole('heading', { name: 'Alarm notifications' }).waitFor();
    await expectAccessible(page);
    await saveScreenshot(page, 'notifications-page');
  }, 60_000);
});
