/**
 * The user the simulator registers devices as. Against a deployed stack you pass your own
 * (--email/--password). On the local cloud it creates one once and keeps its password in the
 * data folder, next to the other local secrets.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { signIn, signUp, type Tokens } from './fleet-api-client.ts';
import type { EndpointsFile } from '@fleet/core/endpoints-file';

export async function simulatorTokens(
  endpoints: EndpointsFile,
  login: { email?: string; password?: string },
  stateDir: string,
): Promise<Tokens> {
  if (login.email && login.password) return signIn(endpoints, login.email, login.password);
  if (!endpoints.credentialsFile) {
    throw new Error('against a deployed stack, give --email and --password of a user with the operator or admin role');
  }
  const file = join(stateDir, 'user.json');
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as { email: string; password: string };
    return await signIn(endpoints, saved.email, saved.password);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const admin = JSON.parse(await readFile(endpoints.credentialsFile, 'utf8')) as { accessKeyId: string; secretAccessKey: string };
  const user = {
    email: `simulator-${randomBytes(3).toString('hex')}@fleet.local`,
    password: `Sim-${randomBytes(12).toString('base64url')}9a`,
  };
  // Registering devices needs the operator role; the local root credentials grant it, as an admin would.
  await signUp(endpoints, user.email, user.password, { credentials: admin, role: 'operator' });
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(user, null, 2), { mode: 0o600 });
  return signIn(endpoints, user.email, user.password);
}
