/**
 * The local cloud's root credentials, generated at first start into the data folder (never in
 * the repository). Services and tools sign their AWS requests with them, as they would with a
 * task role on AWS.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export async function loadOrCreateCredentials(dataDir: string): Promise<LocalCredentials> {
  const file = join(dataDir, 'credentials.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LocalCredentials;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${file}`, { cause: err });
  }
  const credentials: LocalCredentials = {
    accessKeyId: `LKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return credentials;
}
