/**
 * The device page in a real browser (Debian's Chromium driven by playwright-core) against the whole
 * platform, as a person reads it: the history's time axis spans the chosen range (its range and the
 * labels under it), values are formatted (two decimals by default; a unit and decimals set in the
 * page's editor show in the header, the chart legend and the device list), a reading published
 * while the page is open joins the history chart without a reload and the status says the device is
 * online, the average is drawn inside a min–max band, metrics can be hidden, a drag across a chart
 * zooms in (re-queried at a finer resolution) and "Reset zoom" goes back, another device's series
 * joins the chart under its name; and the page fits a phone-sized screen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { MqttClient } from 'mqtt';
import { topics } from '@fleet/core';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { hasChromium, launchChromium, signIn } from './browser-session.ts';
import { connectDevice, createAdmin, waitForStored, type FleetUser, type RegisteredDevice } from './fleet-user.ts';
import { expectAccessible, saveScreenshot } from './page-checks.ts';

const minute = 60_000;
const hour = 3_600_000;
const day = 86_400_000;
const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** What the tests read of the page's objects (this file is compiled without the DOM types). */
interface PlotCanvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}
type PageGlobals = { document: { documentElement: { scrollWidth: number } } };

/** Each label a time axis over [from, to] could show, in the browser's locale and zone (what `time-ticks.ts` draws). */
function possibleLabels(from: number, to: number, step: number, options: Intl.DateTimeFormatOptions): Set<string> {
  const labels = new Set<string>();
  for (let t = from; t <= to; t += step) labels.add(new Date(t).toLocaleString('en-US', { timeZone, ...options }));
  return labels;
}

// Signs in with a user the local cloud confirms: local only.
describe.skipIf(!hasChromium || deployedEndpointsFile)('the device page in a browser', () => {
  let platform: PlatformProcess;
  let browser: Browser;
  let page: Page;
  let admin: FleetUser;
  let sensor: RegisteredDevice;
  let other: RegisteredDevice;
  const start = Date.now();
  const chart = (metric: string) => page.getByTestId(`history-chart-${metric}`);
  const attr = async (metric: string, name: string) => Number(await chart(metric).getAttribute(name));
  /**
   * The axis's two ends read in one step: a live chart slides between two separate reads, so the
   * minimum of one draw and the maximum of the next would not span the range.
   */
  const xRange = (metric: string) =>
    chart(metric).evaluate((el) => ({ min: Number(el.getAttribute('data-x-min')), max: Number(el.getAttribute('data-x-max')) }));
  const xSpan = async (metric: string) => {
    const { min, max } = await xRange(metric);
    return max - min;
  };
  /** Where a chart's plot area is on the screen, scrolled into view: the mouse acts on what is shown. */
  async function plotBox(metric: string) {
    const over = chart(metric).locator('.u-over');
    await over.scrollIntoViewIfNeeded();
    const box = await over.boundingBox();
    if (!box) throw new Error(`the ${metric} chart has no plot area on the screen`);
    return box;
  }

  /** Publishes `readings` as the device, each acknowledged, under AWS IoT's 100 publishes/s per connection. */
  async function publish(device: RegisteredDevice, readings: readonly Record<string, number>[]): Promise<void> {
    const client: MqttClient = await connectDevice(platform, device);
    for (const r of readings) {
      await client.publishAsync(topics.telemetry(device.device.deviceId), JSON.stringify(r), { qos: 1 });
      await new Promise((resolve) => setTimeout(resolve, 12));
    }
    await client.endAsync();
  }

  beforeAll(async () => {
    platform = await startPlatformProcess();
    admin = await createAdmin(platform);
    sensor = await admin.api.registerDevice('Greenhouse sensor');
    other = await admin.api.registerDevice('Cellar sensor');
    // The last 50 minutes: every 2 minutes three readings of one time (three probes read together, each
    // its own seq), so every chart interval that holds readings holds all three and its min and max
    // differ: readings a moment apart would fall in two intervals whenever a boundary passed between them
    // (where the interval shows one value, the band has no height). Unrounded values as a device sends
    // them; and one reading a day over the last six days for the week's chart.
    const history: Record<string, number>[] = [];
    let seq = 0;
    for (let k = 0; k < 25; k++) {
      const ts = start - (2 * k + 1) * minute;
      for (const offset of [-0.5, 0, 0.5])
        history.push({ ts, seq: ++seq, temperature: 20.12245369171366 + (k % 5) + offset, humidity: 40 + k });
    }
    for (let d = 1; d <= 6; d++) history.push({ ts: start - d * day, seq: ++seq, temperature: 18.5 + d, humidity: 50 });
    await publish(sensor, history);
    await publish(
      other,
      Array.from({ length: 25 }, (_, k) => ({ ts: start - (2 * k + 1) * minute, seq: k + 1, temperature: 30 + (k % 3) })),
    );
    expect((await waitForStored(admin, sensor.device.deviceId, start - 7 * day, start, history.length)).length).toBe(history.length);
    expect((await waitForStored(admin, other.device.deviceId, start - hour, start, 25)).length).toBe(25);

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: timeZone });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  }, 60_000);

  // The later tests go on in the session this one opens.
  it('spans the time axis over the chosen range, 1 h and 7 d, in its range and in the labels under it', async () => {
    await page.goto(`${platform.endpoints.gatewayUrl}/devices/${sensor.device.deviceId}`);
    await signIn(page, admin.email, admin.password);
    for (const { range, ms, labels } of [
      { range: '1h', ms: hour, labels: { step: minute, options: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } } },
      { range: '7d', ms: 7 * day, labels: { step: hour, options: { month: 'short', day: 'numeric' } } },
    ] as const) {
      const clicked = Date.now();
      await page.getByTestId(`range-${range}`).click();
      await expect.poll(() => attr('temperature', 'data-x-max'), { timeout: 15_000 }).toBeGreaterThanOrEqual(clicked);
      const { min, max } = await xRange('temperature');
      expect(max - min).toBe(ms);
      expect(max).toBeLessThanOrEqual(Date.now());
      const ticks = JSON.parse((await chart('temperature').getAttribute('data-x-ticks')) ?? '[]') as string[];
      expect(ticks.length, ticks.join()).toBeGreaterThanOrEqual(3);
      const possible = possibleLabels(min, max, labels.step, labels.options);
      // On the week every label starts with a day of it ("Nov 28" or "Nov 28, 12:00").
      for (const tick of ticks) expect(possible, `tick "${tick}" of ${range}`).toContain(range === '7d' ? tick.split(',')[0] : tick);
      await expectAccessible(page, { include: 'main' });
      await saveScreenshot(page, `device-page-range-${range}`);
    }
    // The week's chart holds the daily readings as well as the last hour's.
    expect(await attr('temperature', 'data-points')).toBeGreaterThan(6);
  }, 120_000);

  it('shows values with two decimals at most, then with the unit and decimals set in the editor, on the page, the chart and the device list', async () => {
    await page.getByTestId('range-1h').click();
    // The newest reading: 20.12245369171366 + 0.5.
    await expect.poll(() => page.getByTestId('live-value-temperature').textContent(), { timeout: 15_000 }).toBe('20.62');
    await page.getByTestId('metric-settings').locator('summary').click();
    const row = page.getByTestId('metric-setting-temperature');
    await row.getByLabel('Unit of temperature').fill('°C');
    await row.getByLabel('Decimals of temperature').fill('1');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('live-value-temperature').textContent(), { timeout: 10_000 }).toBe('20.6\u00a0°C');
    // The chart's legend, as a person hovering over the chart reads it.
    const box = await plotBox('temperature');
    await page.mouse.move(box.x + box.width - 5, box.y + box.height / 2);
    const legend = (await chart('temperature').locator('.u-legend').textContent()) ?? '';
    expect(legend).toMatch(/\d+\.\d\u00a0°C/);
    expect(legend).not.toMatch(/\d\.\d{3}/);
    await expectAccessible(page, { include: 'main' });
    await saveScreenshot(page, 'device-page-units');

    // The same setting in the device list.
    await page.goto(`${platform.endpoints.gatewayUrl}/devices`);
    await expect.poll(() => page.locator('table').textContent(), { timeout: 15_000 }).toContain('temperature 20.6\u00a0°C');
    await page.goto(`${platform.endpoints.gatewayUrl}/devices/${sensor.device.deviceId}`);
  }, 90_000);

  it('draws the average inside a band from min to max', async () => {
    await page.getByTestId('range-1h').click();
    await expect.poll(() => attr('temperature', 'data-points'), { timeout: 15_000 }).toBeGreaterThan(20);
    expect(await chart('temperature').getAttribute('data-bands')).toBe('1');
    // What a person sees: pixels of the band's fill, rgba(37, 99, 235, 0.18). The plot's canvas is
    // transparent (the page shows through), so a band pixel reads as that colour with alpha 0.18 × 255 ≈ 46;
    // lines drawn over the band are opaque and do not count.
    const bandPixels = await chart('temperature')
      .locator('canvas')
      .evaluate((canvas: PlotCanvas) => {
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        let n = 0;
        for (let i = 0; i < data.length; i += 4)
          if (
            Math.abs(data[i]! - 37) < 8 &&
            Math.abs(data[i + 1]! - 99) < 8 &&
            Math.abs(data[i + 2]! - 235) < 8 &&
            Math.abs(data[i + 3]! - 46) < 8
          )
            n++;
        return n;
      });
    // Each point's band is a degree high and joins the next point's two minutes on: about 10,000 pixels.
    expect(bandPixels).toBeGreaterThan(2000);
    const box = await plotBox('temperature');
    await page.mouse.move(box.x + box.width - 5, box.y + box.height / 2);
    const legend = (await chart('temperature').locator('.u-legend').textContent()) ?? '';
    expect(legend).toContain('Greenhouse sensor min');
    expect(legend).toContain('Greenhouse sensor max');
    await saveScreenshot(page, 'device-page-band');
  }, 60_000);

  it('puts a reading published while the page is open into the history chart, and reads the device online', async () => {
    await page.getByTestId('range-1h').click();
    await expect.poll(() => page.getByTestId('live-state').textContent(), { timeout: 15_000 }).toBe('Live updates on');
    await expect.poll(() => attr('temperature', 'data-points'), { timeout: 15_000 }).toBeGreaterThan(20);
    const before = await attr('temperature', 'data-points');
    expect(await page.getByTestId('device-status').textContent()).toMatch(/^offline · last seen/);

    const client = await connectDevice(platform, sensor);
    const published = Date.now();
    await client.publishAsync(
      topics.telemetry(sensor.device.deviceId),
      JSON.stringify({ ts: published, seq: 1000, temperature: 27.25, humidity: 41 }),
      { qos: 1 },
    );
    await expect.poll(() => page.getByTestId('live-value-temperature').textContent(), { timeout: 5000 }).toBe('27.3\u00a0°C');
    // No reload: the history chart has one point more, and its axis ends at the new reading.
    await expect.poll(() => attr('temperature', 'data-points'), { timeout: 5000 }).toBe(before + 1);
    expect(await attr('temperature', 'data-x-max')).toBeGreaterThanOrEqual(published);
    expect(await xSpan('temperature')).toBe(hour);
    // Published a moment ago over its connection: online, whatever presence has caught up with.
    await expect.poll(() => page.getByTestId('device-status').textContent(), { timeout: 5000 }).toMatch(/^online · last seen \d s ago$/);
    await saveScreenshot(page, 'device-page-live-into-history');
    await client.endAsync();
  }, 60_000);

  it('hides and shows a metric with its checkbox', async () => {
    await expect.poll(() => chart('humidity').count(), { timeout: 15_000 }).toBe(1);
    const picker = page.getByRole('group', { name: 'Metrics shown' });
    await picker.getByLabel('humidity').uncheck();
    expect(await chart('humidity').count()).toBe(0);
    expect(await chart('temperature').count()).toBe(1);
    await expectAccessible(page, { include: 'main' });
    await saveScreenshot(page, 'device-page-metric-hidden');
    await picker.getByLabel('humidity').check();
    await expect.poll(() => chart('humidity').count()).toBe(1);
  }, 30_000);

  it('zooms into the range dragged across a chart with the mouse, re-queried at a finer resolution, and resets', async () => {
    await page.getByTestId('range-1h').click();
    await expect.poll(() => page.getByTestId('history-resolution').textContent(), { timeout: 15_000 }).toContain('12 s a point');
    const { min, max } = await xRange('temperature');
    const box = await plotBox('temperature');
    const requery = page.waitForResponse((r) => r.url().includes(`/devices/${sensor.device.deviceId}/telemetry?`));
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2, { steps: 10 });
    await page.mouse.up();
    const asked = new URL((await requery).url());
    const [from, to] = [Number(asked.searchParams.get('from')), Number(asked.searchParams.get('to'))];
    // The half in the middle of the hour, as far as a pixel of the drag.
    const pixel = (max - min) / box.width;
    expect(Math.abs(from - (min + (max - min) * 0.25))).toBeLessThan(3 * pixel);
    expect(Math.abs(to - (min + (max - min) * 0.75))).toBeLessThan(3 * pixel);
    await expect.poll(() => page.getByTestId('history-resolution').textContent(), { timeout: 15_000 }).toContain('6 s a point');
    await expect.poll(() => xRange('temperature')).toEqual({ min: from, max: to });
    await expect.poll(() => page.getByTestId('zoomed-to').count()).toBe(1);
    await expectAccessible(page, { include: 'main' });
    await saveScreenshot(page, 'device-page-zoomed');

    await page.getByRole('button', { name: 'Reset zoom' }).click();
    await expect.poll(() => page.getByTestId('history-resolution').textContent(), { timeout: 15_000 }).toContain('12 s a point');
    expect(await xSpan('temperature')).toBe(hour);
  }, 60_000);

  it('compares with another device: its series of the same metric joins the chart under its name', async () => {
    const compare = page.getByTestId('compare');
    await compare.getByLabel('Compare with').selectOption(other.device.deviceId);
    await compare.getByRole('button', { name: 'Add' }).click();
    await expect
      .poll(() => chart('temperature').getAttribute('data-series'), { timeout: 15_000 })
      .toBe('Greenhouse sensor avg|Greenhouse sensor min|Greenhouse sensor max|Cellar sensor avg');
    const box = await plotBox('temperature');
    await page.mouse.move(box.x + box.width - 5, box.y + box.height / 2);
    // Its values in the legend, formatted with the metric's setting (the Cellar sensor published 30, 31, 32).
    const legendRow = chart('temperature').locator('.u-legend tr', { hasText: 'Cellar sensor avg' });
    expect(await legendRow.textContent()).toMatch(/3[0-2]\.0\u00a0°C|—/);
    expect(await compare.textContent()).toContain('Cellar sensor');
    await expectAccessible(page, { include: 'main' });
    await saveScreenshot(page, 'device-page-compare');
    await compare.getByRole('button', { name: 'Stop comparing with Cellar sensor' }).click();
    await expect.poll(() => chart('temperature').getAttribute('data-series')).not.toContain('Cellar sensor');
  }, 60_000);

  it('fits a phone-sized screen: the status, the ranges and the chart inside its width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await expect.poll(() => attr('temperature', 'data-points'), { timeout: 15_000 }).toBeGreaterThan(0);
    for (const part of [
      chart('temperature'),
      page.getByTestId('device-status'),
      page.getByTestId('range-1y'),
      page.getByTestId('compare'),
    ]) {
      const box = (await part.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    // Nothing to scroll sideways (this file is compiled without the DOM types: the page's globals as a script sees them).
    const scrollWidth = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(390);
    await expectAccessible(page, { include: 'main' });
    await saveScreenshot(page, 'device-page-phone');
  }, 60_000);
});
