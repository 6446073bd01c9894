/**
 * Contract of the AWS port's access control through the real AWS SDK v3 clients: signatures are
 * verified against issued credentials and IAM decides, with the errors (and so the SDK exception
 * names) AWS answers.
 */
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CognitoIdentityProviderClient, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { SignatureV4 } from '@smithy/signature-v4';
import { credentialResolver, localArns, type IssuedIdentityCredentials } from '../iam/index.ts';
import { createAwsEndpoint, type EndpointAccess } from './aws-endpoint.ts';
import { jsonProtocolHandler } from './json-protocol.ts';
import { NodeSha256 } from '@fleet/core/aws-sdk';

const root = { accessKeyId: 'LKIAROOT', secretAccessKey: 'root-secret' };
const api = { accessKeyId: 'LKIAAPI', secretAccessKey: 'api-secret' };
const data = { accessKeyId: 'LKIADATA', secretAccessKey: 'data-secret' };
const identity: IssuedIdentityCredentials & { accessKeyId: string } = {
  accessKeyId: 'ASIAIDENTITY',
  secretAccessKey: 'identity-secret',
  sessionToken: 'token-1',
  identityId: 'us-east-1:abc',
  expiresAt: Date.now() + 3600_000,
};
const expired = { ...identity, accessKeyId: 'ASIAEXPIRED', expiresAt: Date.now() - 1000 };

describe('AWS port access control', () => {
  let server: Server;
  let endpoint = '';
  let clockOffsetMs = 0;
  const seen: string[] = [];
  const arns = localArns({ region: 'us-east-1', account: '000000000000', userPoolId: () => 'us-east-1_pool' });
  const access: EndpointAccess = {
    credentials: credentialResolver({
      root,
      tasks: { api, data },
      identities: (key) => [identity, expired].find((c) => c.accessKeyId === key),
      arns,
    }),
    arns,
    allowedOrigins: new Set(['http://127.0.0.1:3000']),
    isAllowedHost: (host) => host === '127.0.0.1' || host === 'localhost',
    now: () => Date.now() + clockOffsetMs,
  };
  const ok = (name: string) => async () => {
    seen.push(name);
    return {};
  };

  beforeAll(async () => {
    server = createAwsEndpoint({
      access,
      handlers: {
        dynamodb: jsonProtocolHandler({
          service: 'dynamodb',
          contentType: 'application/x-amz-json-1.0',
          operations: { ListTables: ok('ListTables'), Scan: async () => ({ Items: [], Count: 0, ScannedCount: 0 }) },
        }),
        sqs: jsonProtocolHandler({
          service: 'sqs',
          contentType: 'application/x-amz-json-1.0',
          operations: {
            SendMessage: async (input) => ({
              MessageId: 'm',
              MD5OfMessageBody: createHash('md5').update(String(input.MessageBody)).digest('hex'),
            }),
          },
        }),
        'cognito-idp': jsonProtocolHandler({
          service: 'cognito-idp',
          operations: { SignUp: async () => ({ UserConfirmed: false, UserSub: 's' }), AdminAddUserToGroup: ok('AdminAddUserToGroup') },
        }),
        s3: async (req) => ({
          status: 200,
          headers: { 'content-type': 'application/xml' },
          body: req.method === 'GET' && req.path === '/b/k' ? 'object body' : '<ListBucketResult><Name>b</Name></ListBucketResult>',
        }),
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const config = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => ({
    endpoint,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
  });
  const s3 = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
    new S3Client({ ...config(credentials), forcePathStyle: true });

  it('serves a request signed with the root keys', async () => {
    await new DynamoDBClient(config(root)).send(new ListTablesCommand({}));
    expect(seen).toContain('ListTables');
  });

  it('answers UnrecognizedClientException for an access key it never issued', async () => {
    await expect(
      new DynamoDBClient(config({ accessKeyId: 'AKIAMADEUP', secretAccessKey: 'x' })).send(new ListTablesCommand({})),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 400 } });
  });

  it('answers InvalidSignatureException for a wrong secret', async () => {
    await expect(new DynamoDBClient(config({ ...root, secretAccessKey: 'wrong' })).send(new ListTablesCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringContaining('does not match'),
    });
  });

  it('answers InvalidSignatureException when the request is signed more than 15 minutes away from now', async () => {
    clockOffsetMs = 16 * 60_000;
    try {
      await expect(new DynamoDBClient(config(root)).send(new ListTablesCommand({}))).rejects.toMatchObject({
        name: 'InvalidSignatureException',
        message: expect.stringContaining('Signature expired'),
      });
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('answers ExpiredTokenException for expired identity credentials, UnrecognizedClientException without their token', async () => {
    await expect(new DynamoDBClient(config(expired)).send(new ListTablesCommand({}))).rejects.toMatchObject({
      name: 'ExpiredTokenException',
    });
    await expect(
      new DynamoDBClient(config({ accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey })).send(
        new ListTablesCommand({}),
      ),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });

  it("denies a task what its role lacks with AWS's AccessDeniedException message", async () => {
    const queueUrl = `${endpoint}/000000000000/fleet-ingest`;
    await expect(
      new SQSClient(config(api)).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'forged' })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message:
        'User: arn:aws:sts::000000000000:assumed-role/fleet-api-task-role/api-task is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:000000000000:fleet-ingest because no identity-based policy allows the sqs:SendMessage action',
    });
    await expect(
      new SQSClient(config(data)).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'ok' })),
    ).resolves.toBeDefined();
  });

  it('denies identity-pool credentials a table scan', async () => {
    await expect(new DynamoDBClient(config(identity)).send(new ScanCommand({ TableName: 'fleet-latest' }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(
        'assumed-role/fleet-identity-pool-authenticated-role/CognitoIdentityCredentials is not authorized to perform: dynamodb:Scan on resource: arn:aws:dynamodb:us-east-1:000000000000:table/fleet-latest',
      ),
    });
  });

  it('answers S3 errors in S3 XML: InvalidAccessKeyId, SignatureDoesNotMatch, AccessDenied', async () => {
    const list = new ListObjectsV2Command({ Bucket: 'b', Prefix: 'archive/' });
    await expect(s3({ accessKeyId: 'AKIAMADEUP', secretAccessKey: 'x' }).send(list)).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    await expect(s3({ ...root, secretAccessKey: 'wrong' }).send(list)).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    await expect(s3(api).send(list)).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(s3(root).send(list)).resolves.toBeDefined();
  });

  it('lets the data task list only its own prefixes (the s3:prefix condition)', async () => {
    await expect(s3(data).send(new ListObjectsV2Command({ Bucket: 'fleet-telemetry', Prefix: 'archive/2026/' }))).resolves.toBeDefined();
    await expect(s3(data).send(new ListObjectsV2Command({ Bucket: 'fleet-telemetry', Prefix: 'private/' }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });

  it('verifies presigned S3 URLs, and refuses them once expired', async () => {
    const presign = async (expiresIn: number, signingDate = new Date()) => {
      const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: root, sha256: NodeSha256, uriEscapePath: false });
      const url = new URL(endpoint);
      const signed = await signer.presign(
        {
          method: 'GET',
          protocol: 'http:',
          hostname: url.hostname,
          port: Number(url.port),
          path: '/b/k',
          query: {},
          headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        },
        { expiresIn, signingDate },
      );
      const query = new URLSearchParams(signed.query as Record<string, string>).toString();
      return `${endpoint}${signed.path}?${query}`;
    };
    const fresh = await fetch(await presign(60));
    expect(fresh.status).toBe(200);
    expect(await fresh.text()).toBe('object body');
    const old = await fetch(await presign(60, new Date(Date.now() - 120_000)));
    expect(old.status).toBe(403);
    expect(await old.text()).toContain('<Code>AccessDenied</Code><Message>Request has expired</Message>');
  });

  it('serves the Cognito operations AWS serves without credentials, and no others', async () => {
    const anonymous = new CognitoIdentityProviderClient({ endpoint, region: 'us-east-1', maxAttempts: 1 });
    await expect(anonymous.send(new SignUpCommand({ ClientId: 'c', Username: 'u', Password: 'p' }))).resolves.toBeDefined();
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSCognitoIdentityProviderService.AdminAddUserToGroup', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ UserPoolId: 'us-east-1_pool', Username: 'u', GroupName: 'admin' }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(seen).not.toContain('AdminAddUserToGroup');
  });

  it('refuses a signature that is only SigV4-shaped', async () => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        'x-amz-date': new Date()
          .toISOString()
          .replace(/[-:]/g, '')
          .replace(/\.\d{3}/, ''),
        authorization: `AWS4-HMAC-SHA256 Credential=${root.accessKeyId}/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00`,
      },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
  });

  it('answers browsers from the platform origin only', async () => {
    const preflight = (origin: string) =>
      fetch(endpoint, { method: 'OPTIONS', headers: { origin, 'access-control-request-headers': 'x-amz-target,content-type' } });
    const own = await preflight('http://127.0.0.1:3000');
    expect(own.status).toBe(204);
    expect(own.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    const foreign = await preflight('https://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a Host header that does not name the local cloud (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${endpoint}/`, { method: 'GET', headers: { host: 'rebind.evil.example:4566' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});
