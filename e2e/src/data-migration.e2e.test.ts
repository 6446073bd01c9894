/**
 * A data folder of the layout before issue 8 (`dynamodb/dynamodb`, `s3/s3`, `sqs/sqs`,
 * `dynamodb/dynamodb-ttl.json`, `ca/root-ca.pem`) is moved to `<data>/<stand-in>/` when the
 * launcher starts on it: the users, devices (with their certificates), readings and objects it
 * held are all there afterwards, and nothing is left in the old places.
 */
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { layoutMoves } from '@fleet/local-cloud';
import { describe, expect, it } from 'vitest';
import { expectNewReadingsJoinKept, expectStateKept, lastStartedStoppedAfterAll, userWithStoredReadings } from './kept-state.ts';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

async function s3Client(platform: PlatformProcess): Promise<S3Client> {
  const credentials = await platform.credentials();
  return new S3Client({
    region: platform.endpoints.region,
    endpoint: platform.endpoints.awsEndpoint,
    forcePathStyle: true,
    ...(credentials ? { credentials } : {}),
  });
}

/** Puts a data folder of the current layout back into the old one, as the launcher before issue 8 left it. */
async function toOldLayout(dataDir: string): Promise<void> {
  for (const { from, to } of layoutMoves) {
    if (!(await exists(join(dataDir, to)))) continue;
    await mkdir(dirname(join(dataDir, from)), { recursive: true });
    await rename(join(dataDir, to), join(dataDir, from));
  }
}

describe.skipIf(deployedEndpointsFile)('a data folder of the old layout', () => {
  const stoppedAfterAll = lastStartedStoppedAfterAll();

  it('is migrated at start with its users, devices, readings and objects', async () => {
    const first = stoppedAfterAll(await startPlatformProcess());
    const kept = await userWithStoredReadings(first, 'migrant', 30);
    const s3 = await s3Client(first);
    await s3.send(new PutObjectCommand({ Bucket: first.endpoints.bucket, Key: 'kept/object.txt', Body: 'still here' }));
    s3.destroy();
    await first.stop({ keepData: true });

    await toOldLayout(first.dataDir);
    for (const old of ['dynamodb/dynamodb', 'dynamodb/dynamodb-ttl.json', 's3/s3', 'sqs/sqs', 'ca/root-ca.pem']) {
      expect(await exists(join(first.dataDir, old))).toBe(true);
    }

    const second = stoppedAfterAll(await startPlatformProcess({ dataDir: first.dataDir, ports: first.ports }));
    // Users (Cognito), devices (registry and devices table), readings (DynamoDB), objects (S3).
    const again = await expectStateKept(first, second, kept);
    const s3Again = await s3Client(second);
    const object = await s3Again.send(new GetObjectCommand({ Bucket: second.endpoints.bucket, Key: 'kept/object.txt' }));
    expect(await object.Body?.transformToString()).toBe('still here');
    s3Again.destroy();

    // Nothing is left in the old places, and nothing else was added.
    for (const { from, to } of layoutMoves) {
      expect({ from, there: await exists(join(first.dataDir, from)) }).toEqual({ from, there: false });
      expect({ to, there: await exists(join(first.dataDir, to)) }).toEqual({ to, there: true });
    }
    expect((await readdir(first.dataDir)).sort()).toEqual([
      'claim',
      'cloudwatch',
      'cognito',
      'credentials.json',
      'dynamodb',
      'endpoints.json',
      'iot',
      'logs',
      's3',
      'sns',
      'sqs',
    ]);
    expect(second.endpoints.caFile).toBe(join(first.dataDir, 'iot', 'root-ca.pem'));

    // The device's certificate (local CA and registry) still works, and its new readings join the old ones once each.
    await expectNewReadingsJoinKept(second, again, kept);
  }, 240_000);
});
