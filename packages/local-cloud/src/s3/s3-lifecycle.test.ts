/**
 * Contract tests of the S3 stand-in's bucket lifecycle (Expiration in days by prefix): through
 * @aws-sdk/client-s3 and the AWS CLI, the periodic sweep that expires objects, and persistence
 * across a restart on the same data folder.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { bucketLifecycleRules, telemetryBucket } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsEndpoint, type AwsServiceHandler } from '../aws-endpoint/index.ts';
import { ensureBuckets } from './ensure-buckets.ts';
import { ensureBucketLifecycle, toS3LifecycleRules } from './ensure-lifecycle.ts';
import { startS3, type S3StandIn } from './s3-stand-in.ts';

let dataDir: string;
let server: Server;
let port: number;
let standIn: S3StandIn;
let s3: S3Client;
let handler: AwsServiceHandler = () => Promise.reject(new Error('stand-in not started'));
const bucket = 'lifecycle-bucket';
const credentials = { accessKeyId: 'fleet-local', secretAccessKey: 'fleet-local' };
const dayMs = 86_400_000;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 's3-lifecycle-'));
  standIn = await startS3({ dataDir });
  handler = standIn.handler;
  server = createAwsEndpoint({ handlers: { s3: (req) => handler(req) } });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  s3 = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  await ensureBuckets(s3, [bucket]);
});

afterAll(async () => {
  s3.destroy();
  await standIn.close();
  await new Promise((resolve) => server.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

const sharedRules = toS3LifecycleRules(bucketLifecycleRules(30, telemetryBucket.prefixes));

const errorOf = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(S3ServiceException);
  const e = err as S3ServiceException;
  return { name: e.name, status: e.$metadata.httpStatusCode, message: e.message };
};

describe('bucket lifecycle configuration', () => {
  it('answers NoSuchLifecycleConfiguration before one is put', async () => {
    expect(await errorOf(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })))).toMatchObject({
      name: 'NoSuchLifecycleConfiguration',
      status: 404,
    });
  });

  it('puts the shared rules, answers them back, and replaces the whole set on the next put', async () => {
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: sharedRules } }));
    const { Rules } = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    expect(Rules).toEqual(sharedRules);
    const one = [{ ID: 'only', Filter: { Prefix: 'tmp/' }, Status: 'Disabled' as const, Expiration: { Days: 2 } }];
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: one } }));
    expect((await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules).toEqual(one);
  });

  it('refuses what it does not enforce, a non-positive Days and duplicate ids with S3 error codes', async () => {
    const put = (
      Rules: NonNullable<ConstructorParameters<typeof PutBucketLifecycleConfigurationCommand>[0]['LifecycleConfiguration']>['Rules'],
    ) => errorOf(s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules } })));
    const transition = await put([
      { ID: 't', Filter: { Prefix: 'a/' }, Status: 'Enabled', Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }] },
    ]);
    expect(transition).toMatchObject({ name: 'NotImplemented', status: 400 });
    expect(transition.message).toContain('Transition');
    expect(await put([{ ID: 'z', Filter: { Prefix: 'a/' }, Status: 'Enabled', Expiration: { Days: 0 } }])).toMatchObject({
      name: 'InvalidArgument',
      message: expect.stringContaining("'Days' for Expiration action must be a positive integer"),
    });
    const twice = { ID: 'same', Filter: { Prefix: 'a/' }, Status: 'Enabled' as const, Expiration: { Days: 1 } };
    expect(await put([twice, twice])).toMatchObject({
      name: 'InvalidArgument',
      message: expect.stringContaining('Rule ID must be unique'),
    });
    expect(
      await errorOf(
        s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'no-such-bucket', LifecycleConfiguration: { Rules: sharedRules } })),
      ),
    ).toMatchObject({ name: 'NoSuchBucket', status: 404 });
  });

  it('deletes the configuration', async () => {
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: sharedRules } }));
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket: bucket }));
    expect((await errorOf(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })))).name).toBe(
      'NoSuchLifecycleConfiguration',
    );
  });

  it('takes a configuration from the AWS CLI (aws s3api put-bucket-lifecycle-configuration)', async () => {
    const rules = { Rules: [{ ID: 'cli', Filter: { Prefix: 'cli/' }, Status: 'Enabled', Expiration: { Days: 3 } }] };
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
    };
    const aws = (...args: string[]) =>
      promisify(execFile)('aws', ['--endpoint-url', `http://127.0.0.1:${port}`, 's3api', ...args], { env });
    await aws('put-bucket-lifecycle-configuration', '--bucket', bucket, '--lifecycle-configuration', JSON.stringify(rules));
    const { stdout } = await aws('get-bucket-lifecycle-configuration', '--bucket', bucket);
    expect(JSON.parse(stdout)).toEqual(rules);
  });
});

describe('expiry', () => {
  const keys = async () => ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key).sort();

  it('deletes objects under an enabled rule once creation + days, rounded up to midnight UTC, has passed', async () => {
    const rules = [
      { ID: 'archive', Filter: { Prefix: 'archive/' }, Status: 'Enabled' as const, Expiration: { Days: 1 } },
      { ID: 'paused', Filter: { Prefix: 'paused/' }, Status: 'Disabled' as const, Expiration: { Days: 1 } },
    ];
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: rules } }));
    for (const key of ['archive/a.jsonl', 'archive/b.jsonl', 'paused/c', 'kept/d'])
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    // Within a day nothing is due: S3 counts a full day and then waits for the next midnight UTC.
    expect(await standIn.sweepExpiredObjects(() => Date.now() + dayMs / 2)).toBe(0);
    expect(await standIn.sweepExpiredObjects(() => Date.now() + 2 * dayMs)).toBe(2);
    expect(await keys()).toEqual(['kept/d', 'paused/c']);
  });

  it('keeps the configuration across a restart of the stand-in on the same data folder', async () => {
    const rules = [{ ID: 'durable', Filter: { Prefix: 'archive/' }, Status: 'Enabled' as const, Expiration: { Days: 365 } }];
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: rules } }));
    await standIn.close();
    standIn = await startS3({ dataDir });
    handler = standIn.handler;
    expect((await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules).toEqual(rules);
  });
});

describe('ensureBucketLifecycle (the launcher, as cdk deploy)', () => {
  it('puts the shared rules on a bucket without a configuration and leaves a changed one alone', async () => {
    const fresh = 'fresh-bucket';
    await ensureBuckets(s3, [fresh]);
    const rules = bucketLifecycleRules(365, telemetryBucket.prefixes);
    expect(await ensureBucketLifecycle(s3, fresh, rules)).toBe(true);
    expect((await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: fresh }))).Rules).toEqual(toS3LifecycleRules(rules));
    const changed = bucketLifecycleRules(30, telemetryBucket.prefixes);
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: fresh,
        LifecycleConfiguration: { Rules: toS3LifecycleRules(changed) },
      }),
    );
    expect(await ensureBucketLifecycle(s3, fresh, rules)).toBe(false);
    const { Rules } = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: fresh }));
    expect(Rules?.find((r) => r.ID === 'archive-retention')?.Expiration?.Days).toBe(30);
  });
});
