/**
 * Fleet provisioning by claim end to end: the simulator's own command line
 * (`npm run simulate -- --provision-by-claim`) against the platform as a real process provisions
 * devices with the claim certificate `npm start` wrote (key pairs for some, CSRs for others), each
 * device publishes with its new certificate, every acknowledged reading is stored once, and the API
 * lists every device (adopted into its registry, ADR 0002) with its serial number as name. In
 * Chromium, an admin finds the template and the claim certificate's topics in the Admin area.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { claimThingName, type DevicePage, type DeviceView } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goToArea, hasChromium, launchChromium, signIn } from './browser-session.ts';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { createAdmin, createUser, waitForStored, type FleetUser } from './fleet-user.ts';
import { expectAccessible, saveScreenshot } from './page-checks.ts';
import { repoRoot, startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { simulatorArgs } from './simulator-command.ts';

const run = promisify(execFile);
/** Devices per run: what provisions and publishes within a minute or two on a shared 2-core box. */
const devices = 25;
const readingsPerDevice = 3;

describe.skipIf(deployedEndpointsFile)('provisioning by claim', () => {
  let platform: PlatformProcess;
  let operator: FleetUser;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    operator = await createUser(platform);
  }, 120_000);
  afterAll(() => platform?.stop(), 60_000);

  async function simulate(prefix: string, extra: readonly string[]) {
    const { stdout } = await run(
      process.execPath,
      simulatorArgs(platform, [
        '--provision-by-claim',
        '--devices',
        String(devices),
        '--prefix',
        prefix,
        '--count',
        String(readingsPerDevice),
        '--rate',
        '2',
        '--no-control',
        ...extra,
      ]),
      { cwd: repoRoot, timeout: 150_000 },
    );
    return stdout;
  }

  async function listedDevices(): Promise<DeviceView[]> {
    const all: DeviceView[] = [];
    let cursor: string | undefined;
    do {
      const page = await operator.api.call<DevicePage>(
        'GET',
        `/api/devices?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  it('provisions devices by claim (key pairs and CSRs); each publishes, every acknowledged reading is stored once, the API lists them', async () => {
    const from = Date.now() - 60_000;
    const runs = [
      { prefix: 'keys', stdout: await simulate('keys', []) },
      { prefix: 'csr', stdout: await simulate('csr', ['--csr']) },
    ];
    const total = devices * readingsPerDevice;
    for (const { stdout } of runs) {
      expect(stdout).toMatch(/^provisioned by claim in [\d.]+ s$/m);
      // Every reading published was acknowledged by IoT Core, and the simulator read each back from the API.
      expect(stdout).toMatch(
        new RegExp(
          `^published ${total}, carried over 0, acknowledged ${total}, buffered 0 \\(max \\d+\\), dropped 0, stored ${total}$`,
          'm',
        ),
      );
    }
    const deviceIds = runs.flatMap(({ prefix }) =>
      Array.from({ length: devices }, (_, i) => claimThingName(`${prefix}-${String(i + 1).padStart(4, '0')}`)),
    );
    // Adoption runs when the API reads its registry (at most every 10 s): poll until every device is in;
    // the API answers a device's readings once it is registered.
    let listed = new Map<string, DeviceView>();
    for (let deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 1000))) {
      listed = new Map((await listedDevices()).map((d) => [d.deviceId, d]));
      if (deviceIds.every((id) => listed.has(id))) break;
    }
    for (const deviceId of deviceIds) {
      expect(listed.get(deviceId), deviceId).toMatchObject({ name: deviceId.slice('fleet-'.length), ownerId: 'fleet-provisioning' });
    }

    // Ten devices at a time: each wait ends with a pause that lets a duplicate show up.
    for (let i = 0; i < deviceIds.length; i += 10) {
      await Promise.all(
        deviceIds.slice(i, i + 10).map(async (deviceId) => {
          const stored = await waitForStored(operator, deviceId, from, Date.now() + 60_000, readingsPerDevice);
          // Acknowledged readings each stored exactly once: seq 1..n, no duplicate.
          expect(
            stored.map((r) => r.seq).sort((a, b) => a - b),
            deviceId,
          ).toEqual([1, 2, 3]);
        }),
      );
    }

    // A second run reuses the stored devices: nothing is provisioned again.
    const again = await simulate('keys', []);
    expect(again).toMatch(new RegExp(`^${devices} devices ready \\(${devices} reused\\)$`, 'm'));
  }, 300_000);

  it.skipIf(!hasChromium)(
    "shows an admin the template, its parameters and the claim certificate's topics in the Admin area",
    async () => {
      const admin = await createAdmin(platform);
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        await page.goto(platform.endpoints.gatewayUrl);
        await signIn(page, admin.email, admin.password);
        await goToArea(page, 'Admin');
        await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Provisioning' }).click();
        const template = page.getByTestId('provisioning-template');
        await template.waitFor();
        expect(page.url()).toBe(`${platform.endpoints.gatewayUrl}/admin/provisioning`);
        const facts = await template.innerText();
        expect(facts).toContain('fleet-claim');
        expect(facts).toContain('Enabled');
        expect(facts).toContain('SerialNumber');
        expect(facts).not.toContain('AWS::IoT::Certificate::Id');
        expect(await page.getByTestId('claim-topics').innerText()).toContain('$aws/provisioning-templates/fleet-claim/provision/json');
        await expectAccessible(page, { include: 'main' });
        await saveScreenshot(page, 'admin-provisioning');
      } finally {
        await browser.close();
      }
    },
    120_000,
  );
});
