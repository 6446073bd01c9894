import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataLayoutConflict, migrateDataLayout } from './data-migration.ts';

const log = pino({ level: 'silent' });
let root: string;

/** Every file under a folder, relative to it, with its content. */
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      out[path.slice(dir.length + 1)] = await readFile(path, 'utf8');
    }
  }
  return out;
}

async function put(files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** A data folder as the launcher before issue 8 left it (file names inside the stores are samples). */
const oldLayout = {
  'credentials.json': '{"accessKeyId":"LKIA"}',
  'endpoints.json': '{}',
  'logs/api.log': 'line\n',
  'dynamodb/dynamodb/000005.ldb': 'tables',
  'dynamodb/dynamodb/CURRENT': 'MANIFEST-000004\n',
  'dynamodb/dynamodb-ttl.json': '{"fleet-telemetry":"expiresAt"}',
  's3/s3/fleet-telemetry/archive/a.json._S3rver_object': 'object',
  'sqs/sqs/000003.log': 'queues',
  'ca/root-ca.pem': 'CA',
  'iot/ca.json': '{}',
  'iot/registry.json': '{"things":{}}',
  'cognito/state.json': '{"users":{}}',
  'cognito/signing-key.pem': 'KEY',
  'cloudwatch/metrics.json': '{}',
};

const newLayout = {
  'credentials.json': '{"accessKeyId":"LKIA"}',
  'endpoints.json': '{}',
  'logs/api.log': 'line\n',
  'dynamodb/leveldb/000005.ldb': 'tables',
  'dynamodb/leveldb/CURRENT': 'MANIFEST-000004\n',
  'dynamodb/ttl.json': '{"fleet-telemetry":"expiresAt"}',
  's3/buckets/fleet-telemetry/archive/a.json._S3rver_object': 'object',
  'sqs/leveldb/000003.log': 'queues',
  'iot/root-ca.pem': 'CA',
  'iot/ca.json': '{}',
  'iot/registry.json': '{"things":{}}',
  'cognito/state.json': '{"users":{}}',
  'cognito/signing-key.pem': 'KEY',
  'cloudwatch/metrics.json': '{}',
};

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fleet-migration-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('migrateDataLayout', () => {
  it('moves every file of the old layout to its stand-in folder, losing none, and logs each move', async () => {
    await put(oldLayout);
    const lines: { from: string; to: string; msg: string }[] = [];
    const recorder = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
    const { moved } = await migrateDataLayout(root, recorder);
    expect(moved).toHaveLength(5);
    expect(lines.map(({ from, to, msg }) => ({ from, to, msg }))).toContainEqual({
      from: join(root, 's3/s3'),
      to: join(root, 's3/buckets'),
      msg: 'moved to the data-folder layout <data>/<stand-in>/',
    });
    expect(lines).toHaveLength(5);
    expect(await tree(root)).toEqual(newLayout);
    expect(await readdir(root)).not.toContain('ca');
  });

  it('does nothing the second time, nor for a folder already in the new layout or a fresh one', async () => {
    await put(oldLayout);
    await migrateDataLayout(root, log);
    expect((await migrateDataLayout(root, log)).moved).toEqual([]);
    expect(await tree(root)).toEqual(newLayout);
    await rm(root, { recursive: true });
    await mkdir(root);
    expect((await migrateDataLayout(root, log)).moved).toEqual([]);
    expect(await readdir(root)).toEqual([]);
  });

  it('finishes a migration a crash interrupted half-way', async () => {
    const notYetMoved = (path: string) => path.startsWith('dynamodb/dynamodb/') || path.startsWith('sqs/sqs/');
    await put(Object.fromEntries(Object.entries(oldLayout).filter(([path]) => notYetMoved(path))));
    await put(Object.fromEntries(Object.entries(newLayout).filter(([path]) => !/^(dynamodb|sqs)\/leveldb\//.test(path))));
    expect((await migrateDataLayout(root, log)).moved.map((m) => m.to)).toEqual([
      join(root, 'dynamodb/leveldb'),
      join(root, 'sqs/leveldb'),
    ]);
    expect(await tree(root)).toEqual(newLayout);
  });

  it('refuses, moving nothing, when old and new place of the same state both exist', async () => {
    await put({ ...oldLayout, 's3/buckets/fleet-telemetry/b._S3rver_object': 'newer' });
    const before = await tree(root);
    const failure = migrateDataLayout(root, log);
    await expect(failure).rejects.toBeInstanceOf(DataLayoutConflict);
    await expect(failure).rejects.toThrow(`${join(root, 's3/s3')} and ${join(root, 's3/buckets')}`);
    expect(await tree(root)).toEqual(before);
  });

  it('keeps a ca/ folder that holds more than the old layout put there', async () => {
    await put({ 'ca/root-ca.pem': 'CA', 'ca/my-notes.txt': 'mine' });
    await migrateDataLayout(root, log);
    expect(await tree(root)).toEqual({ 'iot/root-ca.pem': 'CA', 'ca/my-notes.txt': 'mine' });
  });
});
