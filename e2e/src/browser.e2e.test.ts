/**
 * A new user in a real browser (Debian's Chromium driven by playwright-core): sign up, confirm,
 * sign in, register a device, watch a live value arrive over MQTT-over-WebSocket, see history.
 * The registration page's three downloads are saved under the names of the command it shows, which
 * then publishes a reading that is stored.
 * The live chart takes only readings the Data Service accepts, and an error shows its code.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { MqttClient } from 'mqtt';
import { rootCaFileName, rootCaPath, topics, type DeadLetterOverview } from '@fleet/core';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { hasChromium, launchChromium, signUpAndSignIn } from './browser-session.ts';
import { connectDevice, type RegisteredDevice } from './fleet-user.ts';
import { startSimulatedDevice } from './simulated-device.ts';

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

  /** Registers a device on the web app's page and stays on its credentials (the downloads and the commands). */
  async function registerOnPage(name: string): Promise<{ deviceId: string; registered: RegisteredDevice }> {
    await page.goto(platform.endpoints.gatewayUrl);
    await page.getByRole('button', { name: 'Register a device' }).click();
    await page.fill('input[name=name]', name);
    const registration = page.waitForResponse((r) => r.url().endsWith('/api/devices') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Register' }).click();
    const registered = (await (await registration).json()) as RegisteredDevice;
    const deviceId = registered.device.deviceId;
    await expect.poll(() => page.getByTestId('new-device-id').textContent()).toBe(deviceId);
    return { deviceId, registered };
  }

  /** Registers a device on the web app's page, opens it, waits until it is live, and connects the device. */
  async function registerAndWatch(name: string): Promise<{ deviceId: string; device: MqttClient; registered: RegisteredDevice }> {
    const { deviceId, registered } = await registerOnPage(name);
    expect(await page.getByTestId('mosquitto-command').textContent()).toContain(`fleet/devices/${deviceId}/telemetry`);
    // The registered certificate names the device (CN=<deviceId>), which HTTPS publish needs: the page offers curl too.
    const curl = await page.getByTestId('curl-command').textContent();
    expect(curl).toContain(`:${platform.endpoints.iotHttpsPort}/topics/fleet/devices/${deviceId}/telemetry?qos=1`);
    expect(await page.getByTestId('https-publish-note').count()).toBe(0);

    await page.getByRole('button', { name: 'Open the device' }).click();
    await expect.poll(() => page.getByTestId('live-state').textContent(), { timeout: 15_000 }).toBe('Live updates on');
    return { deviceId, device: await connectDevice(platform, registered), registered };
  }

  /** A GET of the API with the page's own session, as the web app makes it. */
  const apiGet = <T>(path: string): Promise<T> =>
    page.evaluate(async (url) => {
      const { accessToken } = JSON.parse(sessionStorage.getItem('fleet.session') ?? '{}') as { accessToken?: string };
      return (await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } })).json();
    }, path) as Promise<T>;

  // The later tests go on in the session this one opens.
  it('signs up, registers a device, shows a live value within a second of a publish, and history', async () => {
    // The first user of this fresh platform: its admin, who may register devices.
    const email = `browser-${randomBytes(4).toString('hex')}@example.com`;
    await signUpAndSignIn(page, platform, email, `Passw0rd-${randomBytes(6).toString('hex')}`);
    const { deviceId, device } = await registerAndWatch('Browser sensor');
    const published = Date.now();
    await device.publishAsync(topics.telemetry(deviceId), JSON.stringify({ ts: published, seq: 1, temperature: 42.5 }), { qos: 1 });
    await page.getByTestId('live-value-temperature').filter({ hasText: '42.5' }).waitFor({ timeout: 1000 });
    expect(Date.now() - published).toBeLessThan(1000);
    // One point on the live chart: its time axis spans minutes around it, not years.
    await expect.poll(async () => Number(await page.getByTestId('live-chart').getAttribute('data-x-span-s'))).toBeGreaterThan(0);
    expect(Number(await page.getByTestId('live-chart').getAttribute('data-x-span-s'))).toBeLessThanOrEqual(600);

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
          await page.getByTestId('range-1h').click();
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

  /** Clicks a download button of the page and saves the file in `folder` under the name the browser chose; answers that name. */
  async function saveDownload(button: string, folder: string): Promise<string> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button, exact: true }).click()]);
    const name = download.suggestedFilename();
    await download.saveAs(join(folder, name));
    return name;
  }

  it.skipIf(!existsSync('/usr/bin/mosquitto_pub'))(
    'saves the three files under the names of the shown mosquitto_pub command, which then publishes a stored reading',
    async () => {
      const { deviceId, registered } = await registerOnPage('Pasted sensor');
      const folder = await mkdtemp(join(tmpdir(), 'fleet-browser-paste-'));
      const saved = [];
      for (const button of ['Certificate', 'Private key', 'Root CA']) saved.push(await saveDownload(button, folder));
      expect(saved).toEqual([`${deviceId}.cert.pem`, `${deviceId}.private.key`, rootCaFileName]);
      const file = (name: string) => readFile(join(folder, name), 'utf8');
      expect(await file(`${deviceId}.cert.pem`)).toBe(registered.credentials.certificatePem);
      expect(await file(`${deviceId}.cert.pem`)).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
      expect(await file(`${deviceId}.private.key`)).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      // The CA the local IoT endpoint's certificate chains to, as the local cloud serves it (the credentials' caUrl).
      const localCa = await (await fetch(registered.credentials.caUrl)).text();
      expect(localCa).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
      expect(await file(rootCaFileName)).toBe(localCa);

      // The command exactly as the page shows it, pasted into a shell in the folder of the three files.
      const command = (await page.getByTestId('mosquitto-command').textContent()) ?? '';
      expect(command).toContain(`--cafile ${rootCaFileName}`);
      const before = Date.now();
      await promisify(execFile)('bash', ['-c', command], { cwd: folder, timeout: 15_000 });
      const raw = `/api/devices/${deviceId}/telemetry/raw?from=${before - 60_000}&to=${Date.now() + 60_000}`;
      await expect
        .poll(async () => (await apiGet<{ readings: { seq: number; values: Record<string, number> }[] }>(raw)).readings, {
          timeout: 30_000,
        })
        .toEqual([expect.objectContaining({ seq: 1, values: { temperature: 21.5 } })]);

      // A CA the API cannot fetch now is said on the page (the API's 503), not swallowed.
      await page.route(`**${rootCaPath}`, (route) =>
        route.fulfill({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({ code: 'ServiceUnavailable', message: 'The root CA could not be fetched' }),
        }),
      );
      await page.getByRole('button', { name: 'Root CA', exact: true }).click();
      await expect.poll(() => page.getByTestId('error-code').textContent()).toBe('ServiceUnavailable');
      expect(await page.getByTestId('error-message').textContent()).toBe('The root CA could not be fetched');
      await page.unroute(`**${rootCaPath}`);
    },
    120_000,
  );

  it('keeps readings the Data Service rejects off the live chart, and shows the valid one', async () => {
    const { deviceId, device } = await registerAndWatch('Strict sensor');
    const now = Date.now();
    // Each of these the app's old parser showed (it kept the numeric fields); the Data Service dead-letters them.
    const rejected = [
      { ts: now, seq: 1, temperature: 91.5, 'bad name': 1 },
      { ts: now + 3_600_000, seq: 2, temperature: 92.5 },
      { ts: now, seq: 3, temperature: 93.5, humidity: 'wet' },
      { ts: now, temperature: 94.5 },
    ];
    for (const reading of rejected) await device.publishAsync(topics.telemetry(deviceId), JSON.stringify(reading), { qos: 1 });
    await device.publishAsync(topics.telemetry(deviceId), JSON.stringify({ ts: now, seq: 5, temperature: 42.5 }), { qos: 1 });
    await device.endAsync();

    // One connection delivers in order: once the valid reading shows, every rejected one has been judged.
    await page.getByTestId('live-value-temperature').filter({ hasText: '42.5' }).waitFor({ timeout: 5000 });
    expect(await page.getByTestId('live-chart').getAttribute('data-points')).toBe('1');
    expect(await page.locator('.values').textContent()).not.toMatch(/9[1-4]\.5|humidity/);
    // The Data Service did reject each of them: they are dead letters, and only the valid reading is stored.
    await expect
      .poll(
        async () =>
          (await apiGet<DeadLetterOverview>('/api/dead-letters?limit=100')).deadLetters.filter((d) => d.deviceId === deviceId).length,
        {
          timeout: 30_000,
        },
      )
      .toBe(rejected.length);
    const stored = await apiGet<{ readings: { seq: number }[] }>(
      `/api/devices/${deviceId}/telemetry/raw?from=${now - 1000}&to=${now + 7_200_000}`,
    );
    expect(stored.readings.map((r) => r.seq)).toEqual([5]);
  }, 180_000);

  it('changes a setting and sends a command from the device page; the simulated device applies both', async () => {
    const { device, registered } = await registerAndWatch('Configurable sensor');
    await device.endAsync();
    const simulated = await startSimulatedDevice(platform, registered);
    try {
      const config = page.getByTestId('config-panel');
      await config.getByLabel('Setting', { exact: true }).fill('reportIntervalSeconds');
      await config.getByLabel('Value', { exact: true }).fill('2');
      await config.getByRole('button', { name: 'Set' }).click();
      await expect.poll(() => config.getByTestId('desired-reportIntervalSeconds').textContent(), { timeout: 10_000 }).toBe('2');
      // The device applies it and reports it back: no longer pending, what a person sees in the table.
      await expect.poll(() => config.getByTestId('state-reportIntervalSeconds').textContent(), { timeout: 15_000 }).toBe('applied');
      expect(await config.getByTestId('reported-reportIntervalSeconds').textContent()).toBe('2');
      expect(simulated.publisher.rate).toBe(0.5);

      const commands = page.getByTestId('commands-panel');
      await commands.getByLabel('Command', { exact: true }).selectOption('ping');
      await commands.getByRole('button', { name: 'Send' }).click();
      const row = commands.locator('tbody tr').first();
      await expect.poll(() => row.getByTestId('command-status').textContent(), { timeout: 15_000 }).toBe('SUCCEEDED');
      expect(await row.textContent()).toMatch(/ping.*SUCCEEDED.*pong: \d{4}-\d\d-\d\dT.*\d+ s ago by you/);

      await commands.getByLabel('Command', { exact: true }).selectOption('set-interval');
      await commands.getByLabel('Seconds', { exact: true }).fill('3');
      await commands.getByRole('button', { name: 'Send' }).click();
      await expect.poll(() => commands.locator('tbody tr').count(), { timeout: 10_000 }).toBe(2);
      await expect.poll(() => row.getByTestId('command-status').textContent(), { timeout: 15_000 }).toBe('SUCCEEDED');
      expect(await row.textContent()).toContain('reportIntervalSeconds: 3');
      await page.screenshot({ path: `${platform.dataDir}/../fleet-browser-control.png`, fullPage: true });
    } finally {
      await simulated.stop();
    }
  }, 120_000);

  it('shows the code and the message of an error', async () => {
    await page.goto(`${platform.endpoints.gatewayUrl}/devices/no-such-device`);
    await expect.poll(() => page.getByTestId('error-code').textContent(), { timeout: 10_000 }).toBe('DeviceNotFound');
    expect(await page.getByTestId('error-message').textContent()).toBe('Device "no-such-device" is not registered');
    // A device that is not registered has nothing to watch or revoke: only the error and the way back.
    // Polled: the panel may render a moment after the error code (a one-shot look failed once in a busy run).
    await expect.poll(() => page.getByTestId('device-not-found').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    expect(await page.getByText('History').count()).toBe(0);
    await page.getByRole('link', { name: 'Back to the devices' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/devices');
    await page.screenshot({ path: `${platform.dataDir}/../fleet-browser-error.png`, fullPage: true });
  }, 60_000);
});
