/** A real browser for the web app's tests: Debian's Chromium driven by playwright-core, and the sign-up a user goes through. */
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { confirmationCode } from './confirmation-code.ts';
import type { PlatformProcess } from './platform-process.ts';

export const chromiumPath = '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Signs up through the web app, confirms with the code the local cloud keeps, and signs in. */
export async function signUpAndSignIn(page: Page, platform: PlatformProcess, email: string, password: string): Promise<void> {
  await page.goto(platform.endpoints.gatewayUrl);
  await page.getByRole('link', { name: 'Sign up' }).click();
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForSelector('input[name=code]');
  await page.fill('input[name=code]', await confirmationCode(platform, email));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await signIn(page, email, password);
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Sign-in is a Cognito round trip and /api/me: over expect.poll's default second on a loaded machine.
  await expect.poll(() => page.getByTestId('signed-in-as').textContent(), { timeout: 15_000 }).toBe(email);
}
