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
import { afterAll, describe, expect, it } from 'vitest';
import { publishReadings } from './device-publish.ts';
import { allStoredReadings, waitForStored } from './fleet-user.ts';
import { signInAgain, userWithStoredReadings } from './kept-state.ts';
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
  let platform: PlatformProcess | undefined;

  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  it('is migrated at start with its users, devices, readings and objects', async () => {
    const first = await startPlatformProcess();
    platform = first;
    const { user, device, base } = await userWithStoredReadings(first, 'migrant', 30);
    const s3 = await s3Client(first);
    await s3.send(new PutObjectCommand({ Bucket: first.endpoints.bucket, Key: 'kept/object.txt', Body: 'still here' }));
    s3.destroy();
    await first.stop({ keepData: true });

    await toOldLayout(first.dataDir);
    for (const old of ['dynamodb/dynamodb', 'dynamodb/dynamodb-ttl.json', 's3/s3', 'sqs/sqs', 'ca/root-ca.pem']) {
      expect(await exists(join(first.dataDir, old))).toBe(true);
    }

    const second = await startPlatformProcess({ dataDir: first.dataDir, ports: first.ports });
    platform = second;
    // Users (Cognito), devices (registry and devices table), readings (DynamoDB), objects (S3).
    expect(second.endpoints.userPoolId).toBe(first.endpoints.userPoolId);
    const again = await signInAgain(second, user);
    expect(await again.api.getDevice(device.device.deviceId)).toMatchObject({ deviceId: device.device.deviceId, name: 'migrant' });
    expect(await allStoredReadings(again, device.device.deviceId, base, base + 1000)).toHaveLength(30);
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
      'cloudwatch',
      'cognito',
      'credentials.json',
      'dynamodb',
      'endpoints.json',
      'iot',
      'logs',
      's3',
      'sqs',
    ]);
    expect(second.endpoints.caFile).toBe(join(first.dataDir, 'iot', 'root-ca.pem'));

    // The device's certificate (local CA and registry) still works, and its new readings join the old ones once each.
    await publishReadings(
      second,
      device,
      base,
      Array.from({ length: 30 }, (_, i) => i + 31),
    );
    const stored = await waitForStored(again, device.device.deviceId, base, base + 1000, 60);
    expect(stored.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  }, 240_000);
});
