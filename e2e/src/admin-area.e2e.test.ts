/**
 * The Admin area end to end, in Chromium against the platform as separate processes: an admin
 * changes a user's role and revokes a device in the browser, then finds both in the audit trail
 * (who, when, on what) kept in DynamoDB, the device among the revoked ones, inspects a rejected
 * reading's payload and reason and replays what waits; a non-admin finds no audit trail in the
 * navigation, is told so at its address, and is refused by the API. axe-clean, with screenshots,
 * one screen at phone size. axe checks the page's own content (`main`): the header is the app shell's.
 */
import { topics, type DeadLetterOverview } from '@fleet/core';
import { FleetApiError } from '@fleet/simulator';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goToArea, hasChromium, launchChromium, signIn } from './browser-session.ts';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { saveErrorActionMessage } from './error-action-message.ts';
import { connectDevice, createAdmin, createUser, waitForStored, type FleetUser } from './fleet-user.ts';
import { expectAccessible, saveScreenshot } from './page-checks.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';

describe.skipIf(!hasChromium || deployedEndpointsFile)('the Admin area', () => {
  let platform: PlatformProcess;
  let browser: Browser;
  let admin: FleetUser;
  let bob: FleetUser;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    admin = await createAdmin(platform);
    bob = await createUser(platform, { role: 'viewer' });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  }, 60_000);

  async function signedIn(user: FleetUser, viewport = { width: 1280, height: 800 }): Promise<Page> {
    const page = await browser.newPage({ viewport });
    await page.goto(platform.endpoints.gatewayUrl);
    await signIn(page, user.email, user.password);
    return page;
  }

  const adminSection = (page: Page, name: string) => page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name }).click();

  it('records a role change and a revocation with who and when, lists the revoked device, inspects and replays dead letters', async () => {
    const started = Date.now();
    const { device, credentials } = await admin.api.registerDevice('Doomed pump', 'doomed-pump');
    // A rejected reading (a metric that is not a number) while the device still exists…
    const client = await connectDevice(platform, { device, credentials });
    await client.publishAsync(topics.telemetry(device.deviceId), JSON.stringify({ ts: Date.now(), seq: 1, temperature: 'hot' }), {
      qos: 1,
    });
    await client.endAsync();
    await expect
      .poll(
        async () =>
          (await admin.api.call<DeadLetterOverview>('GET', '/api/dead-letters')).deadLetters.filter((d) => d.deviceId === device.deviceId)
            .length,
        { timeout: 30_000 },
      )
      .toBe(1);
    // …and a message the ingest rule could not queue, saved by its error action in AWS's format.
    const replayed = await admin.api.registerDevice('Replayed sensor', 'replayed-sensor');
    const ts = Date.now() - 60_000;
    await saveErrorActionMessage(
      platform,
      replayed.device.deviceId,
      Buffer.from(JSON.stringify({ ts, seq: 7, temperature: 20.5 })).toString('base64'),
    );

    const page = await signedIn(admin);
    // Users and roles: bob becomes an operator.
    await goToArea(page, 'Admin');
    await page.getByTestId(`user-row-${bob.email}`).waitFor();
    expect(page.url()).toBe(`${platform.endpoints.gatewayUrl}/admin/users`);
    await expectAccessible(page, { include: 'main' });
    await saveScreenshot(page, 'admin-users');
    await page.getByLabel(`role-${bob.email}`).selectOption('operator');
    await expect.poll(() => page.getByLabel(`role-${bob.email}`).inputValue(), { timeout: 15_000 }).toBe('operator');

    // Revoke the device from its page.
    await page.goto(`${platform.endpoints.gatewayUrl}/devices/${device.deviceId}`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect.poll(() => page.url(), { timeout: 15_000 }).toBe(`${platform.endpoints.gatewayUrl}/devices`);

    // The audit trail names both, newest first, with who and when.
    await page.goto(`${platform.endpoints.gatewayUrl}/admin/audit`);
    const rows = page.getByTestId('audit-entry');
    const revoke = rows.filter({ hasText: 'Revoke a device' });
    const roleChange = rows.filter({ hasText: "Set a user's role" });
    // An entry is written just after its call is answered: read the trail again until it is there.
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Filter' }).click();
          return [await revoke.count(), await roleChange.count()];
        },
        { timeout: 15_000 },
      )
      .toEqual([1, 1]);
    const cells = async (row: typeof revoke) => (await row.locator('td').allTextContents()).map((c) => c.trim());
    expect((await cells(revoke)).slice(1, 5)).toEqual([`${admin.email} (admin)`, 'Revoke a device', 'devices: doomed-pump', '204']);
    expect((await cells(roleChange)).slice(1, 5)).toEqual([`${admin.email} (admin)`, "Set a user's role", `users: ${bob.email}`, '200']);
    for (const row of [revoke, roleChange]) {
      const when = Date.parse(String(await row.locator('time').getAttribute('datetime')));
      expect(when).toBeGreaterThanOrEqual(started);
      expect(when).toBeLessThanOrEqual(Date.now());
    }
    // Newest first: the revocation came after the role change.
    const actions = (await rows.locator('td:nth-child(3)').allTextContents()).filter(
      (a) => a === 'Revoke a device' || a === "Set a user's role",
    );
    expect(actions).toEqual(['Revoke a device', "Set a user's role"]);
    await expectAccessible(page, { include: 'main' });
    await saveScreenshot(page, 'admin-audit');

    // Filtered by target: only the device's entries (its registration and its revocation).
    await page.getByLabel('Target').fill('doomed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect
      .poll(async () => (await rows.locator('td:nth-child(3)').allTextContents()).join(' | '), { timeout: 15_000 })
      .toBe('Revoke a device | Register a device');

    // Revoked devices: what the device was, who revoked it.
    await adminSection(page, 'Revoked devices');
    const revokedRow = page.getByTestId('revoked-device').filter({ hasText: 'doomed-pump' });
    await revokedRow.waitFor();
    expect((await cells(revokedRow)).slice(0, 2)).toEqual(['doomed-pump', 'Doomed pump']);
    expect((await cells(revokedRow))[3]).toBe(admin.email);
    await expectAccessible(page, { include: 'main' });
    await saveScreenshot(page, 'admin-revoked');

    // Dead letters: the rejected reading's payload and reason, then the replay of what waits.
    await adminSection(page, 'Dead letters');
    const letter = page.getByTestId('dead-letter-list').locator('tr').filter({ hasText: device.deviceId });
    await letter.waitFor();
    expect(await letter.locator('td:nth-child(3)').textContent()).toMatch(/temperature/);
    await letter.getByText('Inspect').click();
    expect(JSON.parse(String(await letter.locator('pre').textContent()))).toMatchObject({ seq: 1, temperature: 'hot' });
    await expectAccessible(page, { include: 'main' });
    await saveScreenshot(page, 'admin-dead-letters');
    await expect.poll(() => page.getByTestId('error-action-count').textContent(), { timeout: 10_000 }).toBe('1');
    await page.getByTestId('replay').click();
    await expect
      .poll(() => page.getByTestId('replay-result').textContent(), { timeout: 15_000 })
      .toBe('Re-queued 1 saved message(s); the dead-letter queue was empty.');
    const stored = await waitForStored(admin, replayed.device.deviceId, ts - 1, ts + 1, 1);
    expect(stored.map((r) => r.seq)).toEqual([7]);
    // The replay is in the trail too.
    await page.goto(`${platform.endpoints.gatewayUrl}/admin/audit`);
    await rows.filter({ hasText: "Put the IoT rule's saved messages" }).first().waitFor();
    await page.close();
  }, 240_000);

  it('keeps the audit trail from a non-admin: not in the navigation, refused at its address and by the API', async () => {
    // bob is an operator by now (the first test): he sees the sections an operator may use.
    const page = await signedIn(bob, { width: 390, height: 844 });
    await expect.poll(() => page.getByTestId('role').textContent(), { timeout: 15_000 }).toBe('operator');
    await goToArea(page, 'Admin');
    const sections = page.getByRole('navigation', { name: 'Admin' }).getByRole('link');
    await expect.poll(() => sections.allTextContents(), { timeout: 15_000 }).toEqual(['Dead letters', 'Revoked devices', 'Provisioning']);
    await adminSection(page, 'Revoked devices');
    await page.getByTestId('revoked-device').filter({ hasText: 'doomed-pump' }).waitFor();
    // At phone size nothing is cut off: the sections, the card and every cell of the revoked device's
    // row (who revoked it included) lie inside the screen's width.
    const row = page.getByTestId('revoked-device').filter({ hasText: 'doomed-pump' });
    const cellsOfRow = await row.locator('td').all();
    expect(cellsOfRow).toHaveLength(6);
    for (const locator of [page.getByRole('navigation', { name: 'Admin' }), page.locator('.card').first(), ...cellsOfRow]) {
      const box = await locator.boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    }
    await expectAccessible(page, { include: 'main' });
    await saveScreenshot(page, 'admin-revoked-phone');

    await page.goto(`${platform.endpoints.gatewayUrl}/admin/audit`);
    await expect
      .poll(() => page.getByTestId('admin-refused').textContent(), { timeout: 15_000 })
      .toBe('Your role (operator) may not use this part of the Admin area.');
    expect(await page.getByTestId('audit-list').count()).toBe(0);
    await expectAccessible(page, { include: 'main' });
    await saveScreenshot(page, 'admin-audit-refused-phone');

    const refused = await bob.api.call('GET', '/api/audit').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(FleetApiError);
    expect((refused as FleetApiError).status).toBe(403);
    await page.close();
  }, 120_000);
});
