/**
 * The credentials the local cloud issues, generated at first start into `<data>/credentials.json`
 * (mode 0600, never in the repository):
 * - the root keys (top level, for `aws --profile` / `--endpoint-url` users, the simulator and the
 *   tests): the account root, allowed everything;
 * - one key pair per service task (`tasks.<service>`), handed to that service's process in its
 *   environment as ECS hands a task its role's credentials; requests signed with them are
 *   evaluated against the task role of `@fleet/core`'s `taskRoleStatements`.
 */
import { randomBytes } from 'node:crypto';
import { services, type ServiceName } from '@fleet/core';
import { readJsonFile, writeFileAtomically } from '../durable-files/atomic-file.ts';
import type { KeyPair } from '../iam/index.ts';

export interface LocalCredentials extends KeyPair {
  readonly tasks: Readonly<Record<ServiceName, KeyPair>>;
}

const newKeyPair = (): KeyPair => ({
  accessKeyId: `LKIA${randomBytes(8).toString('hex').toUpperCase()}`,
  secretAccessKey: randomBytes(30).toString('base64url'),
});

const isKeyPair = (value: unknown): value is KeyPair =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as KeyPair).accessKeyId === 'string' &&
  typeof (value as KeyPair).secretAccessKey === 'string';

export async function loadOrCreateCredentials(file: string): Promise<LocalCredentials> {
  const stored = (await readJsonFile<Partial<LocalCredentials>>(file, 'the keys the local cloud generated at first start')) ?? {};
  const root = isKeyPair(stored) ? { accessKeyId: stored.accessKeyId, secretAccessKey: stored.secretAccessKey } : newKeyPair();
  const storedTasks: Partial<Record<ServiceName, unknown>> = stored.tasks ?? {};
  // Data folders from before per-task credentials get them added; existing keys never change.
  const tasks = Object.fromEntries(
    services.map((s) => {
      const existing = storedTasks[s.name];
      return [s.name, isKeyPair(existing) ? existing : newKeyPair()];
    }),
  ) as Record<ServiceName, KeyPair>;
  const credentials: LocalCredentials = { ...root, tasks };
  if (JSON.stringify(credentials) !== JSON.stringify(stored)) {
    await writeFileAtomically(file, `${JSON.stringify(credentials, null, 2)}\n`);
  }
  return credentials;
}
