/**
 * Who may do what, in a real browser against a fresh local platform: the first user to sign up
 * becomes admin; the next one is a viewer, who sees devices but no register or revoke buttons and
 * no users screen; the admin promotes the viewer (whose page then offers registering) and invites
 * a third user, who sets a password at first sign-in and gets the role of the invitation.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { hasChromium, launchChromium, signIn, signUpAndSignIn } from './browser-session.ts';
import { invitationPassword } from './confirmation-code.ts';

const password = () => `Passw0rd-${randomBytes(6).toString('hex')}`;
const email = (who: string) => `${who}-${randomBytes(3).toString('hex')}@example.com`;

// Reads codes and invitations from the local cloud's data folder: local only (on AWS they arrive by mail).
describe.skipIf(!hasChromium || deployedEndpointsFile)('roles in the web app', () => {
  let platform: PlatformProcess;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** A page of its own (own sessionStorage): one signed-in user each. */
  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext();
    contexts.push(context);
    return context.newPage();
  };

  beforeAll(async () => {
    platform = await startPlatformProcess();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await platform?.stop();
  }, 60_000);

  it('makes the first user admin, keeps the next a viewer, and lets the admin promote and invite', async () => {
    const ada = { email: email('ada'), password: password() };
    const admin = await newPage();
    await signUpAndSignIn(admin, platform, ada.email, ada.password);
    await expect.poll(() => admin.getByTestId('role').textContent()).toBe('admin');
    await admin.getByRole('link', { name: 'Admin' }).waitFor();
    // The admin registers a device through the page, as an operator could.
    await admin.getByRole('button', { name: 'Register a device' }).click();
    await admin.fill('input[name=name]', 'Shared sensor');
    await admin.getByRole('button', { name: 'Register' }).click();
    const deviceId = String(await admin.getByTestId('new-device-id').textContent());

    const vic = { email: email('vic'), password: password() };
    const viewer = await newPage();
    await signUpAndSignIn(viewer, platform, vic.email, vic.password);
    await expect.poll(() => viewer.getByTestId('role').textContent()).toBe('viewer');
    // Signing in lands on the overview; the device list is a link away.
    await viewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await viewer.getByTestId(`device-row-${deviceId}`).waitFor();
    expect(await viewer.getByRole('button', { name: 'Register a device' }).count()).toBe(0);
    expect(await viewer.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await viewer.getByRole('link', { name: 'Shared sensor' }).click();
    await expect.poll(() => viewer.getByTestId('live-state').textContent(), { timeout: 15_000 }).toBe('Live updates on');
    expect(await viewer.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    // The users screen is the admin's: a viewer who types its (old) address is told so.
    await viewer.goto(`${platform.endpoints.gatewayUrl}/users`);
    await expect
      .poll(() => viewer.getByTestId('admin-refused').textContent())
      .toBe('Your role (viewer) may not use this part of the Admin area.');

    // The admin sees both users with their roles, cannot change their own, and promotes the viewer.
    await admin.getByRole('link', { name: 'Admin' }).click();
    await admin.getByTestId(`user-row-${vic.email}`).waitFor();
    expect(await admin.getByLabel(`role-${ada.email}`).inputValue()).toBe('admin');
    expect(await admin.getByLabel(`role-${ada.email}`).isDisabled()).toBe(true);
    expect(await admin.getByLabel(`role-${vic.email}`).inputValue()).toBe('viewer');
    await admin.getByLabel(`role-${vic.email}`).selectOption('operator');
    await expect.poll(() => admin.getByLabel(`role-${vic.email}`).inputValue()).toBe('operator');

    // The promoted user's next page load refreshes the tokens and offers registering.
    await viewer.goto(platform.endpoints.gatewayUrl);
    await expect.poll(() => viewer.getByTestId('role').textContent()).toBe('operator');
    await viewer.getByRole('button', { name: 'Register a device' }).waitFor();
    await viewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await viewer.getByRole('link', { name: 'Shared sensor' }).click();
    await viewer.getByRole('button', { name: 'Revoke', exact: true }).waitFor();

    // An invitation: the invited user signs in with the mailed temporary password and chooses one.
    const eve = { email: email('eve'), password: password() };
    await admin.fill('input[name=invite-email]', eve.email);
    await admin.getByLabel('invite-role').selectOption('viewer');
    await admin.getByRole('button', { name: 'Invite' }).click();
    await admin.getByTestId('invited').waitFor();
    await admin.getByTestId(`user-row-${eve.email}`).filter({ hasText: 'FORCE_CHANGE_PASSWORD' }).waitFor();
    const invited = await newPage();
    await invited.goto(platform.endpoints.gatewayUrl);
    await invited.fill('input[name=email]', eve.email);
    await invited.fill('input[name=password]', await invitationPassword(platform, eve.email));
    await invited.getByRole('button', { name: 'Sign in' }).click();
    await invited.fill('input[name=new-password]', eve.password);
    await invited.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => invited.getByTestId('role').textContent()).toBe('viewer');
    // From now on the chosen password is the one.
    await invited.getByRole('button', { name: 'Sign out' }).click();
    await signIn(invited, eve.email, eve.password);
  }, 180_000);
});
