/**
 * Contract of presigned links on the local cloud's S3 (s3rver behind the AWS endpoint with its
 * access control): links made by `@aws-sdk/s3-request-presigner` with the Data Service's
 * credentials work from a browser or `fetch` without credentials, the way the data jobs hand them
 * out (an export's download, an import's upload), and a browser PUT from the web app's origin
 * passes its CORS preflight.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { telemetryBucket } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsEndpoint, type EndpointAccess } from '../aws-endpoint/index.ts';
import { credentialResolver, localArns } from '../iam/index.ts';
import { ensureBuckets } from './ensure-buckets.ts';
import { startS3, type S3StandIn } from './s3-stand-in.ts';

const root = { accessKeyId: 'LKIAROOT', secretAccessKey: 'root-secret' };
const data = { accessKeyId: 'LKIADATA', secretAccessKey: 'data-secret' };
const api = { accessKeyId: 'LKIAAPI', secretAccessKey: 'api-secret' };
const webOrigin = 'http://127.0.0.1:3000';
const bucket = telemetryBucket.id;

let dataDir: string;
let standIn: S3StandIn;
let server: Server;
let endpoint: string;
const client = (credentials: typeof data) =>
  new S3Client({ endpoint, region: 'us-east-1', credentials, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 's3-presigned-'));
  standIn = await startS3({ dataDir });
  const arns = localArns({ region: 'us-east-1', account: '000000000000', userPoolId: () => 'us-east-1_pool' });
  const access: EndpointAccess = {
    credentials: credentialResolver({ root, tasks: { api, data }, identities: () => undefined, arns }),
    arns,
    allowedOrigins: new Set([webOrigin]),
    isAllowedHost: (host) => host === '127.0.0.1' || host === 'localhost',
  };
  server = createAwsEndpoint({ access, handlers: { s3: standIn.handler } });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await ensureBuckets(client(root), [bucket]);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await standIn.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('presigned links of the Data Service', () => {
  it('serves a presigned GET with the download file name it signs', async () => {
    const s3 = client(data);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'exports/job-1.csv', Body: 'deviceId,ts,seq,t\nd1,1,0,2\n' }));
    const url = await getSignedUrl(
      s3,
      new GetObjectCommand({ Bucket: bucket, Key: 'exports/job-1.csv', ResponseContentDisposition: 'attachment; filename="job-1.csv"' }),
      { expiresIn: 3600 },
    );
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="job-1.csv"');
    expect(await response.text()).toBe('deviceId,ts,seq,t\nd1,1,0,2\n');
  });

  it('stores a presigned PUT with the signed Content-Type and refuses another type', async () => {
    const s3 = client(data);
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: 'imports/job-2.csv', ContentType: 'text/csv' }), {
      expiresIn: 3600,
      signableHeaders: new Set(['content-type']),
    });
    const body = 'ts,seq,t\n1700000000000,0,21.5\n';
    const refused = await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body });
    expect(refused.status).toBe(403);
    const stored = await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body });
    expect(stored.status).toBe(200);
    const read = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'imports/job-2.csv' }));
    expect(await read.Body?.transformToString()).toBe(body);
  });

  it("refuses a link signed with credentials whose policy does not grant it (the API Service's on imports/)", async () => {
    const url = await getSignedUrl(
      client(api),
      new PutObjectCommand({ Bucket: bucket, Key: 'imports/job-3.csv', ContentType: 'text/csv' }),
      {
        expiresIn: 3600,
        signableHeaders: new Set(['content-type']),
      },
    );
    const response = await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: 'ts\n1\n' });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('AccessDenied');
  });

  it("answers a browser PUT's CORS preflight from the web app's origin, and refuses another origin", async () => {
    const preflight = (origin: string) =>
      fetch(`${endpoint}/${bucket}/imports/job-4.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
      });
    const allowed = await preflight(webOrigin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(webOrigin);
    expect(allowed.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('content-type');
    expect((await preflight('https://evil.example')).status).toBe(403);
  });
});
