/**
 * An alarm's whole life, end to end over real processes and sockets: a user defines an alarm in the
 * browser; a simulated device holds its temperature above the threshold for the alarm's duration;
 * the alarm becomes ACTIVE within seconds and a webhook on localhost (an SNS HTTP subscription, added
 * as a notification channel and confirmed by the receiver) gets exactly one signed notification; the
 * platform is killed with SIGKILL and restarted; the user acknowledges the alarm in the browser; the
 * value returns and the alarm clears by itself. Every notification's signature is checked as AWS
 * documents, and each event arrives once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Alarm, AlarmNotification, AlarmPageSchema } from '@fleet/core';
import type { Static } from 'typebox';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { hasChromium, launchChromium, signIn } from './browser-session.ts';
import { createAdmin, type FleetUser } from './fleet-user.ts';
import { lastStartedStoppedAfterAll, signInAgain } from './kept-state.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { startSimulatedDevice } from './simulated-device.ts';
import { startSnsWebhookReceiver, type SnsWebhookReceiver } from './sns-webhook-receiver.ts';

async function api<T>(platform: PlatformProcess, user: FleetUser, method: string, path: string, body?: unknown): Promise<T> {
  const answer = await fetch(`${platform.endpoints.gatewayUrl}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${user.tokens.accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await answer.text();
  if (!answer.ok) throw new Error(`${method} ${path} answered ${answer.status}: ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

const alarmsOf = async (platform: PlatformProcess, user: FleetUser): Promise<Alarm[]> =>
  (await api<Static<typeof AlarmPageSchema>>(platform, user, 'GET', '/alarms')).alarms;

/** The alarm events the webhook received, by type (a redelivery would count twice). */
const receivedTypes = (receiver: SnsWebhookReceiver) =>
  receiver.notifications.map((n) => (JSON.parse(n.Message) as AlarmNotification).event.type);

describe.skipIf(deployedEndpointsFile || !hasChromium)('an alarm from definition to clearing', () => {
  const stoppedAfterAll = lastStartedStoppedAfterAll();
  let receiver: SnsWebhookReceiver | undefined;
  afterAll(() => receiver?.stop());

  it('fires within seconds, notifies a signed webhook once per change, survives kill -9, is acknowledged in the browser and clears', async () => {
    const first = stoppedAfterAll(await startPlatformProcess());
    const admin = await createAdmin(first);
    const device = await admin.api.registerDevice('e2e freezer');
    const deviceId = device.device.deviceId;

    // A webhook channel: an SNS HTTP subscription of the alarm topic, confirmed by the receiver itself.
    receiver = await startSnsWebhookReceiver();
    await api(first, admin, 'POST', '/notification-channels', { protocol: 'http', endpoint: receiver.url });
    await expect
      .poll(async () => (await api<{ channels: { status: string }[] }>(first, admin, 'GET', '/notification-channels')).channels, {
        timeout: 30_000,
        interval: 500,
      })
      .toEqual([expect.objectContaining({ status: 'confirmed' })]);

    // The user defines the alarm in the browser.
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(first.endpoints.gatewayUrl);
      await signIn(page, admin.email, admin.password);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alarms' }).click();
      await page.getByRole('button', { name: 'New alarm' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Freezer too warm');
      await page.getByLabel('Watch', { exact: true }).selectOption('device');
      await page.getByLabel('Device id', { exact: true }).fill(deviceId);
      await page.getByLabel('Condition', { exact: true }).selectOption('above');
      await page.getByLabel('Metric', { exact: true }).fill('temperature');
      await page.getByLabel('Threshold', { exact: true }).fill('80');
      await page.getByLabel('Duration', { exact: true }).selectOption('forSeconds');
      await page.getByLabel('Seconds', { exact: true }).fill('3');
      await page.getByLabel('Severity', { exact: true }).selectOption('critical');
      await page.getByRole('button', { name: 'Create alarm' }).click();
      await expect.poll(() => page.getByTestId('alarm-definition-list').textContent(), { timeout: 10_000 }).toContain('Freezer too warm');
    } finally {
      await browser.close();
    }

    // The device crosses the threshold and stays there: ACTIVE once the 3 s have passed.
    const hot = await startSimulatedDevice(first, device, { rate: 2 });
    hot.signals.hold('temperature', 95);
    const crossedAt = Date.now();
    let active: Alarm | undefined;
    try {
      await expect
        .poll(async () => (active = (await alarmsOf(first, admin)).find((a) => a.deviceId === deviceId))?.status, {
          timeout: 30_000,
          interval: 250,
        })
        .toBe('ACTIVE');
      const seconds = (Date.now() - crossedAt) / 1000;
      console.log(`alarm ACTIVE ${seconds.toFixed(1)} s after the device crossed the threshold (duration 3 s)`);
      expect(seconds).toBeLessThan(20);
      expect(active).toMatchObject({ severity: 'critical', value: 95, occurrence: 1 });
      await expect.poll(() => receivedTypes(receiver!), { timeout: 30_000, interval: 250 }).toEqual(['ACTIVE']);
    } finally {
      await hot.stop();
    }

    // The platform dies in the middle of the alarm's life and comes back on the same data.
    first.child.kill('SIGKILL');
    await new Promise<void>((resolve) =>
      first.child.exitCode !== null || first.child.signalCode !== null ? resolve() : first.child.once('exit', () => resolve()),
    );
    const second = stoppedAfterAll(await startPlatformProcess({ dataDir: first.dataDir, ports: first.ports }));
    const again = await signInAgain(second, admin);
    expect((await alarmsOf(second, again)).find((a) => a.deviceId === deviceId)).toMatchObject({ status: 'ACTIVE', occurrence: 1 });

    // The user acknowledges it in the browser.
    const browser2 = await launchChromium();
    try {
      const page = await browser2.newPage();
      await page.goto(second.endpoints.gatewayUrl);
      await signIn(page, again.email, again.password);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alarms' }).click();
      await page.getByRole('button', { name: `Acknowledge Freezer too warm on ${deviceId}` }).click();
      await expect
        .poll(() => page.getByTestId('current-alarms').locator('tbody tr').first().locator('td').first().textContent(), { timeout: 15_000 })
        .toBe('ACKNOWLEDGED');
    } finally {
      await browser2.close();
    }

    // The value returns to normal: the alarm clears by itself.
    const cool = await startSimulatedDevice(second, device, { rate: 2 });
    try {
      await expect
        .poll(async () => (await alarmsOf(second, again)).find((a) => a.deviceId === deviceId)?.status, { timeout: 30_000, interval: 250 })
        .toBe('CLEARED');
    } finally {
      await cool.stop();
    }
    const cleared = (await alarmsOf(second, again)).find((a) => a.deviceId === deviceId);
    expect(cleared).toMatchObject({ clearedBy: 'auto', acknowledgedBy: expect.any(String) as string });

    // Exactly one signed notification per change, none refused.
    await expect.poll(() => receivedTypes(receiver!), { timeout: 30_000, interval: 250 }).toEqual(['ACTIVE', 'ACKNOWLEDGED', 'CLEARED']);
    expect(receiver.refused).toEqual([]);
    const ids = receiver.notifications.map((n) => (JSON.parse(n.Message) as AlarmNotification).event.eventId);
    expect(new Set(ids).size).toBe(3);
    expect(receiver.notifications[0]?.Subject).toContain('CRITICAL ACTIVE: Freezer too warm');
  }, 300_000);
});
