/**
 * The Overview end to end: a fleet with a device in each state — online (connected, publishing),
 * offline (never connected, and one that disconnected), silent (its connect, as IoT Core's
 * lifecycle rule queues it, 20 minutes old with nothing since) — readings, a rejected message and
 * a critical alarm. The API's answer counts what was acknowledged and stored (CloudWatch's
 * ReadingsStored and ReadingsRejected, written by the Data Service as EMF and read by the API with
 * its own task role), and the browser shows the same numbers on the tiles, a chart whose time axis
 * spans the last hour, the alarm and the dead letter; axe-clean, at desktop and at phone size.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ingestQueue, silentAfterMs, topics, type Overview, type PresenceIngestMessage } from '@fleet/core';
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, signIn } from './browser-session.ts';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { connectDevice, createAdmin, waitForStored, type FleetUser } from './fleet-user.ts';
import { expectAccessible, saveScreenshot } from './page-checks.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';

const readings = 5;

describe.skipIf(deployedEndpointsFile || !hasChromium)('the overview', () => {
  let platform: PlatformProcess;
  let admin: FleetUser;
  let browser: Browser;
  let page: Page;
  let online: MqttClient | undefined;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    admin = await createAdmin(platform);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 120_000);

  afterAll(async () => {
    await online?.endAsync();
    await browser?.close();
    await platform?.stop();
  }, 60_000);

  const overview = () => admin.api.call<Overview>('GET', '/api/overview');

  it('counts a fleet with a device in each state, its readings, a reject and an alarm, and shows them on the page', async () => {
    const sensor = await admin.api.registerDevice('Boiler room', 'ov-online');
    await admin.api.registerDevice('Spare', 'ov-never');
    const gone = await admin.api.registerDevice('Gone', 'ov-gone');
    await admin.api.registerDevice('Stuck', 'ov-silent');
    await admin.api.call('POST', '/api/alarm-definitions', {
      name: 'Boiler too hot',
      scope: { kind: 'device', deviceId: 'ov-online' },
      condition: { kind: 'above', metric: 'temperature', threshold: 80 },
      severity: 'critical',
    });

    // Silent: connected 20 minutes ago and nothing since. The connect reaches the Data Service as IoT
    // Core's presence rule queues it (the same message, sent with the local cloud's root keys).
    const sqs = new SQSClient({
      region: platform.endpoints.region,
      endpoint: platform.endpoints.awsEndpoint,
      credentials: await platform.credentials(),
    });
    const connected: PresenceIngestMessage = {
      kind: 'presence',
      eventType: 'connected',
      clientId: 'ov-silent',
      timestamp: Date.now() - 2 * silentAfterMs,
    };
    await sqs.send(
      new SendMessageCommand({ QueueUrl: platform.endpoints.queueUrls[ingestQueue.id], MessageBody: JSON.stringify(connected) }),
    );
    sqs.destroy();

    // Offline after a visit: connects, is seen online, and leaves.
    const visit = await connectDevice(platform, gone);
    await expect.poll(async () => (await admin.api.getDevice('ov-gone'))['online'], { timeout: 30_000 }).toBe(true);
    await visit.endAsync();

    // Online: five readings acknowledged (the last one too hot), then one the Data Service must reject.
    online = await connectDevice(platform, sensor);
    const base = Date.now() - 60_000;
    for (let seq = 1; seq <= readings; seq++) {
      const temperature = seq === readings ? 95 : 60 + seq;
      await online.publishAsync(topics.telemetry('ov-online'), JSON.stringify({ ts: base + seq, seq, temperature }), { qos: 1 });
    }
    await online.publishAsync(topics.telemetry('ov-online'), JSON.stringify({ ts: base + 10, seq: 'ten', temperature: 1 }), { qos: 1 });
    expect((await waitForStored(admin, 'ov-online', base, base + 100, readings)).length).toBe(readings);

    // The API: every part from its own source, once the Data Service's metrics reached CloudWatch.
    await expect
      .poll(
        async () => {
          const o = await overview();
          return {
            devices: o.devices,
            throughput: o.throughput.available ? [o.throughput.readings, o.throughput.rejected] : o.throughput.reason,
            alarms: o.alarms.available ? [o.alarms.total, o.alarms.bySeverity.critical] : o.alarms.reason,
            deadLetters: o.deadLetters?.available ? o.deadLetters.newest.map((d) => d.deviceId) : o.deadLetters,
          };
        },
        { timeout: 90_000, interval: 2_000 },
      )
      .toEqual({
        devices: { available: true, total: 4, online: 1, offline: 2, silent: 1, silentAfterMs },
        throughput: [readings, 1],
        alarms: [1, 1],
        deadLetters: ['ov-online'],
      });

    // The page: the same numbers, a person's way.
    await page.goto(platform.endpoints.gatewayUrl);
    await signIn(page, admin.email, admin.password);
    const text = (testId: string) => page.getByTestId(testId).textContent();
    await expect.poll(() => text('tile-total'), { timeout: 15_000 }).toBe('4');
    expect(await text('tile-online')).toBe('1');
    expect(await text('tile-offline')).toBe('2');
    expect(await text('tile-silent')).toBe('1');
    expect(await text('silent-explained')).toBe('Silent: connected, but no reading for more than 10 minutes.');
    expect(await text('readings-total')).toBe(String(readings));
    expect(await text('rejected-total')).toBe('1');
    expect(await text('alarms-total')).toBe('1');
    expect(await text('alarms-critical')).toBe('1 critical');
    expect(await text('newest-alarms')).toContain('Boiler too hot on ov-online');
    expect(await text('newest-dead-letters')).toContain('ov-online');
    // The chart: a point per minute, its time axis the last hour, ending with the current minute.
    const chart = page.getByTestId('throughput-chart');
    expect(await chart.getAttribute('data-points')).toBe('60');
    await expect.poll(() => chart.getAttribute('data-x-span-s')).toBe('3600');
    // The page's own part: the shared header's contrast is the app shell's (reported to its owner).
    await expectAccessible(page, { include: 'main' });
    await saveScreenshot(page, 'overview');

    // The tiles are links into the device list, filtered to what they count.
    await page.getByRole('link', { name: '2 offline' }).click();
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/devices?status=offline');
    await page.getByTestId('device-list').waitFor();
    await page.goBack();
    await page.getByRole('link', { name: 'Boiler too hot on ov-online' }).click();
    expect(new URL(page.url()).pathname).toBe('/devices/ov-online');
  }, 180_000);

  it('fits a phone: every tile and the chart inside the screen width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(platform.endpoints.gatewayUrl);
    await expect.poll(() => page.getByTestId('tile-total').textContent(), { timeout: 15_000 }).toBe('4');
    const boxes = await Promise.all(
      ['tile-total', 'tile-online', 'tile-offline', 'tile-silent', 'throughput-chart', 'newest-alarms', 'newest-dead-letters'].map(
        async (id) => [id, await page.getByTestId(id).boundingBox()] as const,
      ),
    );
    for (const [id, box] of boxes) {
      expect(box, id).not.toBeNull();
      expect(box!.x, id).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, id).toBeLessThanOrEqual(390);
    }
    // Nothing wider than the screen: the page does not scroll sideways.
    type PageGlobals = { document: { documentElement: { scrollWidth: number } } };
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // The page's own part: the shared header's contrast is the app shell's (reported to its owner).
    await expectAccessible(page, { include: 'main' });
    await saveScreenshot(page, 'overview-phone');
  }, 60_000);
});
