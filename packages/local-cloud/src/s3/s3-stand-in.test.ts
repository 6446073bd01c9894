/**
 * Contract tests of the S3 stand-in (s3rver child process behind the forwarding handler) through
 * the real @aws-sdk/client-s3 v3 client and the local AWS endpoint router.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { telemetryBucket } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsEndpoint, type AwsServiceHandler } from '../aws-endpoint/index.ts';
import { ensureBuckets } from './ensure-buckets.ts';
import { waitFor } from '../child-process/wait-for.ts';
import { startS3, type S3StandIn } from './s3-stand-in.ts';

let dataDir: string;
let server: Server;
let port: number;
let standIn: S3StandIn;
let s3: S3Client;
let handler: AwsServiceHandler = () => Promise.reject(new Error('stand-in not started'));
const bucket = telemetryBucket.id;
/** Requests that arrived aws-chunked framed, to prove the framing test really exercised it. */
let chunkedRequests = 0;
const credentials = { accessKeyId: 'fleet-local', secretAccessKey: 'fleet-local' };

const client = (extra: Partial<S3ClientConfig> = {}) =>
  new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    ...extra,
  });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 's3-stand-in-'));
  standIn = await startS3({ dataDir });
  handler = standIn.handler;
  server = createAwsEndpoint({
    handlers: {
      s3: (req) => {
        if (String(req.headers['x-amz-content-sha256']).startsWith('STREAMING-')) chunkedRequests += 1;
        return handler(req);
      },
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  s3 = client();
  await ensureBuckets(s3, [bucket]);
});

afterAll(async () => {
  s3.destroy();
  await standIn.close();
  await new Promise((resolve) => server.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

const getBytes = async (key: string, from = s3) => {
  const { Body } = await from.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from((await Body?.transformToByteArray()) ?? []);
};

describe('objects', () => {
  it('creates buckets idempotently', async () => {
    await ensureBuckets(s3, [bucket, 'second-bucket']);
    await ensureBuckets(s3, [bucket, 'second-bucket']);
  });

  it('stores and returns binary bodies byte for byte, with metadata on HEAD', async () => {
    const body = randomBytes(200_000);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'archive/2026/01/blob.bin',
        Body: body,
        ContentType: 'application/octet-stream',
        Metadata: { devices: '42' },
      }),
    );
    expect((await getBytes('archive/2026/01/blob.bin')).equals(body)).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'archive/2026/01/blob.bin' }));
    expect(head.ContentLength).toBe(body.length);
    expect(head.ContentType).toBe('application/octet-stream');
    expect(head.Metadata).toEqual({ devices: '42' });
  });

  it('strips aws-chunked framing from streamed uploads of a client with default checksums', async () => {
    const defaults = client({ requestChecksumCalculation: 'WHEN_SUPPORTED' });
    const before = chunkedRequests;
    const body = randomBytes(300_000);
    await defaults.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'chunked.bin',
        Body: Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]),
        ContentLength: body.length,
      }),
    );
    expect(chunkedRequests).toBe(before + 1);
    expect((await getBytes('chunked.bin')).equals(body)).toBe(true);
    const text = 'key with spaces & ünïcode';
    await defaults.send(new PutObjectCommand({ Bucket: bucket, Key: 'dead-letters/a b+c ü.json', Body: text }));
    expect((await getBytes('dead-letters/a b+c ü.json', defaults)).toString()).toBe(text);
    defaults.destroy();
  });

  it('lists with a prefix and paginates a truncated ListObjectsV2', async () => {
    const keys = Array.from({ length: 25 }, (_, i) => `exports/page/${String(i).padStart(2, '0')}.json`);
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    const listed: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: 'exports/page/', MaxKeys: 10, ContinuationToken: token }),
      );
      pages += 1;
      listed.push(...(page.Contents ?? []).map((c) => c.Key ?? ''));
      expect(page.IsTruncated).toBe(pages < 3);
      token = page.NextContinuationToken;
    } while (token);
    expect(pages).toBe(3);
    expect(listed).toEqual(keys);
  });

  it('copies an object', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'copy-src.txt', Body: 'copied' }));
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy-dst.txt', CopySource: `${bucket}/copy-src.txt` }));
    expect((await getBytes('copy-dst.txt')).toString()).toBe('copied');
  });

  it('assembles a multipart upload', async () => {
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(1024)];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'exports/multi.bin' }));
    const etags: string[] = [];
    for (const [i, part] of parts.entries()) {
      const { ETag } = await s3.send(
        new UploadPartCommand({ Bucket: bucket, Key: 'exports/multi.bin', UploadId, PartNumber: i + 1, Body: part }),
      );
      etags.push(ETag ?? '');
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'exports/multi.bin',
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    expect((await getBytes('exports/multi.bin')).equals(Buffer.concat(parts))).toBe(true);
  });

  it('deletes an object: GetObject then answers NoSuchKey', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'gone.txt', Body: 'x' }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'gone.txt' }));
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'gone.txt' }))).rejects.toBeInstanceOf(NoSuchKey);
  });

  it('answers NoSuchBucket for a missing bucket', async () => {
    await expect(s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: 'x' }))).rejects.toBeInstanceOf(NoSuchBucket);
    await expect(s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' }))).rejects.toBeInstanceOf(NoSuchBucket);
  });
});

describe('presigned URLs', () => {
  const presign = (key: string, options: { expiresIn: number; signingDate?: Date }) =>
    new SignatureV4({ service: 's3', region: 'us-east-1', credentials, sha256: Sha256, uriEscapePath: false }).presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port,
        path: `/${bucket}/${key}`,
        headers: { host: `127.0.0.1:${port}` },
        query: {},
      },
      options,
    );
  const toUrl = (request: Awaited<ReturnType<typeof presign>>) => {
    const query = new URLSearchParams(request.query as Record<string, string>).toString();
    return `http://127.0.0.1:${port}${request.path}?${query}`;
  };

  it('serves a presigned GET without SDK credentials', async () => {
    const body = randomBytes(5000);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'exports/shared.bin', Body: body }));
    const response = await fetch(toUrl(await presign('exports/shared.bin', { expiresIn: 60 })));
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
  });

  it('refuses an expired presigned GET with 403', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'exports/old.bin', Body: 'x' }));
    const expired = await presign('exports/old.bin', { expiresIn: 1, signingDate: new Date(Date.now() - 120_000) });
    const response = await fetch(toUrl(expired));
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('AccessDenied');
  });
});

describe('persistence', () => {
  it('keeps objects across a SIGKILL of s3rver and a restart on the same data folder', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'durable.txt', Body: 'still here' }));
    process.kill(standIn.process.status().pid ?? -1, 'SIGKILL');
    await standIn.close();
    standIn = await startS3({ dataDir });
    handler = standIn.handler;
    expect((await getBytes('durable.txt')).toString()).toBe('still here');
  });
});

describe('supervision', () => {
  it("restarts s3rver after kill -9, answering S3's retryable 503 ServiceUnavailable while it is down", async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'supervised.txt', Body: 'kept' }));
    const before = standIn.process.status();
    const twoAttempts = client({ maxAttempts: 2 });
    process.kill(before.pid ?? -1, 'SIGKILL');

    const err = (await twoAttempts
      .send(new PutObjectCommand({ Bucket: bucket, Key: 'during-outage.txt', Body: 'x' }))
      .catch((e: unknown) => e)) as S3ServiceException;
    twoAttempts.destroy();
    expect(err).toBeInstanceOf(S3ServiceException);
    expect(err).toMatchObject({ name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503, attempts: 2 } });

    await waitFor('s3rver up again', () => standIn.process.status().state === 'up');
    expect(standIn.process.status()).toMatchObject({ restarts: before.restarts + 1, port: before.port });
    expect((await getBytes('supervised.txt')).toString()).toBe('kept');
  });
});

describe('keys s3rver would resolve outside the bucket (issue 7)', () => {
  const outside = () => join(dataDir, 'escaped');

  it('refuses a key with ".." segments with an S3-shaped 400 and writes nothing outside the data folder', async () => {
    for (const Key of ['../../../../escaped', 'a/../../../../escaped', './x', 'a//b']) {
      await expect(s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }))).rejects.toMatchObject({
        name: 'InvalidArgument',
        $metadata: { httpStatusCode: 400 },
      });
    }
    await expect(stat(`${outside()}._S3rver_object`)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(join(dataDir, '..', 'escaped._S3rver_object'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a percent-encoded ".." bucket or key, a copy source and a DeleteObjects body that leave the bucket', async () => {
    const signed = {
      authorization: 'AWS4-HMAC-SHA256 Credential=fleet-local/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0',
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    };
    // node:http sends the path as written; fetch would resolve the dot segments before sending.
    const raw = (method: string, path: string, body: string) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method, path, headers: signed }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    for (const path of ['/%2E%2E/escaped', '/../escaped', `/${bucket}/%2E%2E/%2E%2E/escaped`, `/${bucket}/../../escaped`]) {
      const res = await raw('PUT', path, 'x');
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/<Code>(InvalidBucketName|InvalidArgument)<\/Code>/);
    }
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'copy-me', Body: 'x' }));
    await expect(
      s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy-target', CopySource: `${bucket}/../../../../etc/hostname` })),
    ).rejects.toMatchObject({ name: 'InvalidArgument' });
    const del = await raw('POST', `/${bucket}?delete`, '<Delete><Object><Key>../../../credentials.json</Key></Object></Delete>');
    expect(del.status).toBe(400);
  });

  it('still stores keys whose segments merely contain dots', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'dots/..hidden/file..txt', Body: 'dots' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dots/..hidden/file..txt' }));
    expect(await got.Body?.transformToString()).toBe('dots');
  });
});
