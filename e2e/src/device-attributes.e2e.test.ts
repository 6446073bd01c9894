/**
 * The device list's attribute filter in a real browser against the whole platform: devices
 * registered through the API with AWS IoT thing attributes, found by `name=value` and `name`
 * conditions typed in the Attributes field, by a search over attribute values, the filter kept in
 * the URL (a reload shows the same list); a device registered with attributes on the register
 * page found by them at once; and a condition AWS IoT could not hold explained on the page instead
 * of sent; a device's attributes changed on its page, which AWS IoT's DescribeThing (SDK v3) then
 * answers and the list filters on, and a change made outside Fleet (UpdateThing) shown there. Every
 * screen passes axe-core and is kept as a screenshot.
 */
import { DescribeThingCommand, IoTClient, UpdateThingCommand } from '@aws-sdk/client-iot';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goToArea, hasChromium, launchChromium, signUpAndSignIn } from './browser-session.ts';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { createUser } from './fleet-user.ts';
import { expectAccessible, saveScreenshot } from './page-checks.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';

/** Device id → its attributes (the thing's, besides Fleet's owner and name). */
const devices: Record<string, Record<string, string>> = {
  'pump-lyon-1': { site: 'lyon', floor: '2' },
  'pump-lyon-2': { site: 'lyon', model: 'x=1' },
  'pump-paris-1': { site: 'paris-east', floor: '1' },
  'fan-lyon-1': { site: 'lyon' },
  'fan-bare-1': {},
};

// Signs up through the local cloud's confirmation codes: local only.
describe.skipIf(!hasChromium || deployedEndpointsFile)('the device list filtered by thing attributes, in a browser', () => {
  let platform: PlatformProcess;
  let browser: Browser;
  let page: Page;

  const rowIds = async () =>
    (await page.locator('[data-testid^=device-row-]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-testid')))).map((t) =>
      t!.slice('device-row-'.length),
    );
  const countText = () => page.getByTestId('device-count').textContent();
  const filterBy = async (attributes: string, search = '') => {
    await page.getByLabel('Search').fill(search);
    await page.getByLabel('Attributes').fill(attributes);
    await page.getByRole('button', { name: 'Search' }).click();
  };
  const screen = async (name: string) => {
    await expectAccessible(page, { include: 'main' });
    await saveScreenshot(page, `device-attributes-${name}`);
  };

  beforeAll(async () => {
    platform = await startPlatformProcess();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  }, 60_000);

  it('finds devices by attribute value, by attribute presence and by a search over values, the URL keeping the filter', async () => {
    // The first user of the fresh platform is its admin: the one in the browser.
    await signUpAndSignIn(
      page,
      platform,
      `attributes-${randomBytes(4).toString('hex')}@example.com`,
      `Passw0rd-${randomBytes(6).toString('hex')}`,
    );
    const operator = await createUser(platform);
    for (const [deviceId, attributes] of Object.entries(devices)) {
      await operator.api.call('POST', '/api/devices', { name: `Device ${deviceId}`, deviceId, attributes });
    }
    await goToArea(page, 'Devices');
    await expect.poll(countText, { timeout: 20_000 }).toBe('Page 1 · 5 shown of 5 matching');

    await filterBy('site=lyon');
    await expect.poll(countText).toBe('Page 1 · 3 shown of 3 matching');
    expect((await rowIds()).sort()).toEqual(['fan-lyon-1', 'pump-lyon-1', 'pump-lyon-2']);
    expect(new URL(page.url()).searchParams.getAll('attribute')).toEqual(['site=lyon']);
    // The row shows the device's own attributes, not Fleet's owner and name.
    expect(await page.getByTestId('device-row-pump-lyon-1').getByTestId('device-attributes').textContent()).toBe('site=lyon · floor=2');
    await screen('site-lyon');

    // Two conditions, both must hold; `floor` alone: the device has the attribute.
    await filterBy('site=lyon floor');
    await expect.poll(rowIds).toEqual(['pump-lyon-1']);
    expect(new URL(page.url()).searchParams.getAll('attribute')).toEqual(['site=lyon', 'floor']);
    await page.reload();
    await expect.poll(rowIds, { timeout: 20_000 }).toEqual(['pump-lyon-1']);
    expect(await page.getByLabel('Attributes').inputValue()).toBe('site=lyon floor');

    // A value holding `=`, and an exact match: `lyon` is not `paris-east`'s part.
    await filterBy('model=x=1');
    await expect.poll(rowIds).toEqual(['pump-lyon-2']);
    await filterBy('floor');
    await expect.poll(async () => (await rowIds()).sort()).toEqual(['pump-lyon-1', 'pump-paris-1']);

    // The search matches attribute values too.
    await filterBy('', 'EAST');
    await expect.poll(rowIds).toEqual(['pump-paris-1']);
    expect(new URL(page.url()).search).toBe('?q=EAST');
    await filterBy('site=nowhere');
    await expect.poll(countText).toBe('No devices match.');
  }, 180_000);

  it('registers a device with attributes on the register page, and the list finds it by them at once', async () => {
    await page.goto(`${platform.endpoints.gatewayUrl}/devices/new`);
    await page.fill('input[name=name]', 'Valve north');
    await page.fill('input[name=deviceId]', 'valve-lyon-1');
    // A bare name is no attribute: the page says so and registers nothing.
    await page.fill('input[name=attributes]', 'site=lyon kind');
    await page.getByRole('button', { name: 'Register' }).click();
    await expect.poll(() => page.getByTestId('error-message').textContent()).toMatch(/^"kind" is no attribute: write name=value/);
    await page.fill('input[name=attributes]', 'site=lyon kind=valve');
    await page.getByRole('button', { name: 'Register' }).click();
    await expect.poll(() => page.getByTestId('new-device-id').textContent(), { timeout: 20_000 }).toBe('valve-lyon-1');
    await page.goto(`${platform.endpoints.gatewayUrl}/devices?attribute=kind%3Dvalve`);
    await expect.poll(rowIds, { timeout: 20_000 }).toEqual(['valve-lyon-1']);
    expect(await page.getByTestId('device-row-valve-lyon-1').getByTestId('device-attributes').textContent()).toBe('site=lyon · kind=valve');
  }, 60_000);

  it('explains a condition AWS IoT could not hold instead of sending it', async () => {
    await page.goto(`${platform.endpoints.gatewayUrl}/devices?attribute=site%3Dlyon`);
    await expect.poll(countText, { timeout: 20_000 }).toBe('Page 1 · 4 shown of 4 matching');
    await filterBy('site=ly|on');
    const problem = page.getByTestId('attribute-filter-problem');
    await expect.poll(() => problem.textContent()).toMatch(/^"site=ly\|on" is no attribute condition/);
    expect(await page.getByLabel('Attributes').getAttribute('aria-invalid')).toBe('true');
    // The list and its URL stay as they were.
    expect(new URL(page.url()).searchParams.getAll('attribute')).toEqual(['site=lyon']);
    await screen('invalid');
  }, 60_000);

  it("changes a device's attributes on its page: AWS IoT holds them, the list filters on them, and a change made outside Fleet shows there", async () => {
    const credentials = await platform.credentials();
    const iot = new IoTClient({
      region: platform.endpoints.region,
      endpoint: platform.endpoints.awsEndpoint,
      ...(credentials ? { credentials } : {}),
    });
    const panel = page.getByTestId('attributes-panel');
    const shown = () =>
      panel.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent).join('=')));
    await page.goto(`${platform.endpoints.gatewayUrl}/devices/pump-lyon-1`);
    await expect.poll(shown, { timeout: 20_000 }).toEqual(['site=lyon', 'floor=2']);
    const field = panel.getByLabel('Device attributes');
    expect(await field.inputValue()).toBe('site=lyon floor=2');

    // A word that is no attribute is explained, and nothing is written.
    await field.fill('site=paris zone');
    await panel.getByRole('button', { name: 'Save attributes' }).click();
    await expect.poll(() => panel.getByTestId('error-message').textContent()).toMatch(/^"zone" is no attribute: write name=value/);
    expect((await iot.send(new DescribeThingCommand({ thingName: 'pump-lyon-1' }))).attributes?.['site']).toBe('lyon');

    // `floor` left out: removed; Fleet's owner and name kept.
    await field.fill('site=paris zone=b-2');
    await panel.getByRole('button', { name: 'Save attributes' }).click();
    await expect.poll(shown, { timeout: 10_000 }).toEqual(['site=paris', 'zone=b-2']);
    const thing = await iot.send(new DescribeThingCommand({ thingName: 'pump-lyon-1' }));
    expect(thing.attributes).toEqual({ site: 'paris', zone: 'b-2', owner: expect.any(String), name: 'Device_pump-lyon-1' });
    await screen('device-page');

    await page.goto(`${platform.endpoints.gatewayUrl}/devices?attribute=zone%3Db-2`);
    await expect.poll(rowIds, { timeout: 20_000 }).toEqual(['pump-lyon-1']);
    expect(await page.getByTestId('device-row-pump-lyon-1').getByTestId('device-attributes').textContent()).toBe('site=paris · zone=b-2');

    // Changed outside Fleet with the SDK: the device page reads the thing itself.
    await iot.send(new UpdateThingCommand({ thingName: 'pump-lyon-1', attributePayload: { attributes: { zone: 'c-1' }, merge: true } }));
    await page.goto(`${platform.endpoints.gatewayUrl}/devices/pump-lyon-1`);
    await expect.poll(shown, { timeout: 20_000 }).toEqual(['site=paris', 'zone=c-1']);
    iot.destroy();
  }, 90_000);
});
