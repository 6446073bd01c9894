/**
 * A new user in a real browser (Debian's Chromium driven by playwright-core): sign up, confirm,
 * sign in, register a device, watch a live value arrive over MQTT-over-WebSocket, see history.
 */
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { connectAsync } from 'mqtt';
import { topics } from '@fleet/core';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { hasChromium, launchChromium, signUpAndSignIn } from './browser-session.ts';

// Reads the sign-up code from the local cloud's data folder: local only (on AWS it arrives by mail).
describe.skipIf(!hasChromium || deployedEndpointsFile)('the web app in a browser', () => {
  let platform: PlatformProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    browser = await launchChromium();
    page = await browser.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  }, 60_000);

  it('signs up, registers a device, shows a live value within a second of a publish, and history', async () => {
    const email = `browser-${randomBytes(4).toString('hex')}@example.com`;
    const password = `Passw0rd-${randomBytes(6).toString('hex')}`;
    // The first user of this fresh platform: its admin, who may register devices.
    await signUpAndSignIn(page, platform, email, password);

    await page.getByRole('button', { name: 'Register a device' }).click();
    await page.fill('input[name=name]', 'Browser sensor');
    const registration = page.waitForResponse((r) => r.url().endsWith('/api/devices') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Register' }).click();
    const registered = (await (await registration).json()) as {
      device: { deviceId: string };
      credentials: { certificatePem: string; privateKey: string };
    };
    const deviceId = registered.device.deviceId;
    await expect.poll(() => page.getByTestId('new-device-id').textContent()).toBe(deviceId);
    expect(await page.getByTestId('mosquitto-command').textContent()).toContain(`fleet/devices/${deviceId}/telemetry`);

    await page.getByRole('button', { name: 'Open the device' }).click();
    await expect.poll(() => page.getByTestId('live-state').textContent(), { timeout: 15_000 }).toBe('live');

    const device = await connectAsync({
      host: platform.endpoints.mqttHost,
      port: platform.endpoints.mqttPort,
      protocol: 'mqtts',
      ca: await readFile(platform.endpoints.caFile, 'utf8'),
      cert: registered.credentials.certificatePem,
      key: registered.credentials.privateKey,
      clientId: deviceId,
      reconnectPeriod: 0,
    });
    const published = Date.now();
    await device.publishAsync(topics.telemetry(deviceId), JSON.stringify({ ts: published, seq: 1, temperature: 42.5 }), { qos: 1 });
    await page.getByTestId('live-value-temperature').filter({ hasText: '42.5' }).waitFor({ timeout: 1000 });
    expect(Date.now() - published).toBeLessThan(1000);

    // A few more readings over the last minutes, then the history chart shows them.
    for (let seq = 2; seq <= 20; seq++) {
      await device.publishAsync(topics.telemetry(deviceId), JSON.stringify({ ts: published - seq * 10_000, seq, temperature: 20 + seq }), {
        qos: 1,
      });
    }
    await device.endAsync();
    await expect
      .poll(
        async () => {
          await page.getByTestId('range-15min').click();
          return Number(
            await page
              .getByTestId('history-chart-temperature')
              .getAttribute('data-points', { timeout: 2000 })
              .catch(() => '0'),
          );
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBeGreaterThan(0);
    await page.screenshot({ path: `${platform.dataDir}/../fleet-browser-e2e.png`, fullPage: true });
  }, 180_000);
});
