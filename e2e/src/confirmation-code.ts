/**
 * The sign-up confirmation code, which Cognito mails. The local cloud sends no mail: it keeps the
 * codes in its data folder, where this reads them (as a user would read the launcher's output).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlatformProcess } from './platform-process.ts';

export async function confirmationCode(platform: PlatformProcess, email: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const codes = JSON.parse(await readFile(join(platform.dataDir, 'cognito', 'confirmation-codes.json'), 'utf8')) as Record<
        string,
        { code: string; expiresAt: number }
      >;
      const code = codes[`${platform.endpoints.userPoolId}/${email}`]?.code;
      if (code) return code;
    } catch {
      // Not written yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no confirmation code for ${email} in the local cloud's data folder`);
}
