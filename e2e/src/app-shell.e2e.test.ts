/**
 * The web app's shell in Chromium, as a person meets it: the navigation of the areas the role may
 * use, each page loaded as its own chunk only when opened, the system's dark theme, a phone-sized
 * screen where the navigation folds behind a Menu button, and no WCAG A/AA violation (axe-core)
 * on the way, with a screenshot of each screen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { hasChromium, launchChromium, signIn } from './browser-session.ts';
import { createAdmin, createUser, type FleetUser } from './fleet-user.ts';
import { expectAccessible, saveScreenshot } from './page-checks.ts';

/** The page's JavaScript files fetched so far (their names, hashes cut off). */
const scriptsLoaded = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as { performance: { getEntriesByType(type: string): { name: string }[] } }).performance
      .getEntriesByType('resource')
      .map((e) => e.name)
      .filter((name) => name.endsWith('.js'))
      .map((name) => name.slice(name.lastIndexOf('/') + 1).replace(/-[\w-]{8}\.js$/, '')),
  );

/** The relative luminance of a CSS `rgb(...)` colour (WCAG 2.x), 0 black to 1 white. */
function luminance(css: string): number {
  const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

describe.skipIf(!hasChromium || deployedEndpointsFile)('the app shell in a browser', () => {
  let platform: PlatformProcess;
  let browser: Browser;
  let admin: FleetUser;
  let viewer: FleetUser;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    browser = await launchChromium();
    admin = await createAdmin(platform);
    viewer = await createUser(platform, { role: 'viewer' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  }, 60_000);

  async function signedIn(
    user: FleetUser,
    options: Parameters<Browser['newContext']>[0] = {},
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    await page.goto(platform.endpoints.gatewayUrl);
    await signIn(page, user.email, user.password);
    // The navigation follows the role `/api/me` answers: wait for it.
    await expect.poll(() => page.getByTestId('role').textContent({ timeout: 10_000 }), { timeout: 15_000 }).toMatch(/\w/);
    return { context, page };
  }

  const navLinks = async (page: Page) =>
    (await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).map((t) => t.trim());

  it('shows the sign-in screen without accessibility violations, then the areas each role may use', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(platform.endpoints.gatewayUrl);
    await page.waitForSelector('input[name=email]');
    await expectAccessible(page);
    await saveScreenshot(page, 'shell-sign-in');
    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.getByRole('button', { name: 'Sign up' }).waitFor();
    await expectAccessible(page);
    await saveScreenshot(page, 'shell-sign-up');
    await context.close();

    const asAdmin = await signedIn(admin);
    const adminAreas = await navLinks(asAdmin.page);
    expect(adminAreas).toEqual(['Overview', 'Devices', 'Dashboards', 'Alarms', 'Rules', 'Notifications', 'Data', 'Admin']);
    await expectAccessible(asAdmin.page);
    await saveScreenshot(asAdmin.page, 'shell-admin');
    // The link of the page shown is marked as the current one, for a screen reader too.
    const current = asAdmin.page.getByRole('navigation', { name: 'Main' }).locator('[aria-current=page]');
    expect((await current.textContent())?.trim()).toBe('Overview');

    // A viewer watches the fleet: no rules, data management or administration.
    const asViewer = await signedIn(viewer);
    expect(await navLinks(asViewer.page)).toEqual(['Overview', 'Devices', 'Dashboards', 'Alarms', 'Notifications']);
    // The registration form, from the devices area.
    await asAdmin.page.getByRole('button', { name: 'Register a device' }).click();
    await asAdmin.page.getByRole('button', { name: 'Register' }).waitFor();
    await expectAccessible(asAdmin.page);
    await saveScreenshot(asAdmin.page, 'shell-register-device');
    await asAdmin.context.close();
    await asViewer.context.close();
  });

  it('keeps the header on one row of a 1280 px screen, a long e-mail address cut with an ellipsis', async () => {
    const longName = await createUser(platform, { role: 'admin', emailPrefix: 'facilities.operations.night-shift.team-lead' });
    const { context, page } = await signedIn(longName, { viewport: { width: 1280, height: 800 } });
    const middle = async (box: Promise<{ y: number; height: number } | null>) => {
      const b = (await box)!;
      return b.y + b.height / 2;
    };
    const row = await middle(page.getByRole('link', { name: 'Fleet', exact: true }).boundingBox());
    for (const part of [
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }),
      page.getByTestId('signed-in-as'),
      page.getByTestId('role'),
      page.getByRole('button', { name: 'Sign out' }),
    ])
      expect(Math.abs((await middle(part.boundingBox())) - row)).toBeLessThan(8);
    // The address is shown cut (narrower than its text) and whole in its title.
    const who = page.getByTestId('signed-in-as');
    const [shown, whole] = await who.evaluate((el: { clientWidth: number; scrollWidth: number }) => [el.clientWidth, el.scrollWidth]);
    expect(shown).toBeLessThan(whole);
    expect(await who.getAttribute('title')).toBe(longName.email);
    await saveScreenshot(page, 'shell-long-address');
    await context.close();
  });

  it('loads a page’s code only when the page is opened', async () => {
    const { context, page } = await signedIn(admin);
    await page.getByTestId('tile-total').waitFor();
    const first = await scriptsLoaded(page);
    expect(first).toContain('overview-page');
    expect(first).not.toContain('device-page');
    expect(first).not.toContain('rules-page');
    expect(first).not.toContain('data-page');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rules', exact: true }).click();
    await page.getByRole('heading', { name: /rules/i }).first().waitFor();
    expect(await scriptsLoaded(page)).toContain('rules-page');
    expect(await scriptsLoaded(page)).not.toContain('data-page');
    await expectAccessible(page);
    await context.close();
  });

  it('follows the system’s dark theme, still without contrast violations', async () => {
    const { context, page } = await signedIn(admin, { colorScheme: 'dark' });
    const background = await page.evaluate(() => {
      const g = globalThis as unknown as {
        getComputedStyle(e: unknown): { backgroundColor: string };
        document: { documentElement: unknown };
      };
      return g.getComputedStyle(g.document.documentElement).backgroundColor;
    });
    expect(luminance(background)).toBeLessThan(0.05);
    await expectAccessible(page);
    await saveScreenshot(page, 'shell-dark');
    await context.close();

    const light = await signedIn(admin, { colorScheme: 'light' });
    const lightBackground = await light.page.evaluate(() => {
      const g = globalThis as unknown as {
        getComputedStyle(e: unknown): { backgroundColor: string };
        document: { documentElement: unknown };
      };
      return g.getComputedStyle(g.document.documentElement).backgroundColor;
    });
    expect(luminance(lightBackground)).toBeGreaterThan(0.8);
    await light.context.close();
  });

  it('folds the navigation behind a Menu button on a phone, and nothing is wider than the screen', async () => {
    const { context, page } = await signedIn(admin, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect.poll(() => nav.isVisible()).toBe(false);
    const menu = page.getByRole('button', { name: 'Menu' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    const rules = nav.getByRole('link', { name: 'Rules', exact: true });
    const box = await rules.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await expectAccessible(page);
    await saveScreenshot(page, 'shell-phone-menu');
    await rules.click();
    await page.getByRole('heading', { name: /rules/i }).first().waitFor();
    // Following a link closes the menu again.
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    const pageWidth = await page.evaluate(
      () => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth,
    );
    expect(pageWidth).toBeLessThanOrEqual(390);
    await saveScreenshot(page, 'shell-phone-rules');
    await context.close();
  });
});
