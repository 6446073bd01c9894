/**
 * What Cognito mails, as the local cloud keeps it: the sign-up confirmation code and the temporary
 * password of an invitation, in its data folder (as a user would read the launcher's output).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dataLayout } from '@fleet/local-cloud';
import type { PlatformProcess } from './platform-process.ts';

async function localMail<T>(platform: PlatformProcess, file: string, email: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const entries = JSON.parse(await readFile(join(dataLayout(platform.dataDir).standIns.cognito, file), 'utf8')) as Record<string, T>;
      const entry = entries[`${platform.endpoints.userPoolId}/${email}`];
      if (entry) return entry;
    } catch {
      // Not written yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no entry for ${email} in the local cloud's cognito/${file}`);
}

export async function confirmationCode(platform: PlatformProcess, email: string, timeoutMs = 10_000): Promise<string> {
  return (await localMail<{ code: string }>(platform, 'confirmation-codes.json', email, timeoutMs)).code;
}

/** The temporary password an admin's invitation (AdminCreateUser) sent to `email`. */
export async function invitationPassword(platform: PlatformProcess, email: string, timeoutMs = 10_000): Promise<string> {
  return (await localMail<{ temporaryPassword: string }>(platform, 'invitations.json', email, timeoutMs)).temporaryPassword;
}
