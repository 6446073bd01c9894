/**
 * The AWS port of a running platform accepts only the credentials the local cloud issued, each
 * with the permissions of its IAM role from `@fleet/core` (issue 7): made-up keys fail, a service
 * cannot do what its task role lacks, and a browser's identity-pool credentials cannot scan tables
 * or put a forged reading on the ingest queue. The services themselves keep working under their
 * roles (the other end-to-end tests run on the same enforcement).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, GetItemCommand, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { devicesTable, ingestQueue, latestTable, telemetryTable, type TelemetryIngestMessage } from '@fleet/core';
import { signIn } from '@fleet/simulator';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { allStoredReadings, createUser, waitForStored, type FleetUser } from './fleet-user.ts';

const run = promisify(execFile);
const awsCliInstalled = await run('aws', ['--version']).then(
  () => true,
  () => false,
);

interface KeyPair {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

describe.skipIf(deployedEndpointsFile)('AWS port: signatures and IAM from the shared definitions', () => {
  let platform: PlatformProcess;
  let root: KeyPair;
  let tasks: Record<'api' | 'data', KeyPair>;
  let user: FleetUser;
  const region = 'us-east-1';
  const client = <T>(make: new (config: object) => T, credentials: KeyPair): T =>
    new make({ endpoint: platform.endpoints.awsEndpoint, region, credentials, maxAttempts: 1 });
  const ingestUrl = () => platform.endpoints.queueUrls[ingestQueue.id] ?? '';

  beforeAll(async () => {
    platform = await startPlatformProcess();
    const file = JSON.parse(await readFile(platform.endpoints.credentialsFile, 'utf8')) as KeyPair & { tasks: typeof tasks };
    root = { accessKeyId: file.accessKeyId, secretAccessKey: file.secretAccessKey };
    tasks = file.tasks;
    user = await createUser(platform);
  });
  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  /** Identity-pool credentials of a signed-in user, as the web app gets them. */
  async function browserCredentials(idToken: string): Promise<KeyPair> {
    const identity = new CognitoIdentityClient({ endpoint: platform.endpoints.awsEndpoint, region, maxAttempts: 1 });
    const provider = `cognito-idp.${region}.amazonaws.com/${platform.endpoints.userPoolId}`;
    const { IdentityId } = await identity.send(
      new GetIdCommand({ IdentityPoolId: platform.endpoints.identityPoolId, Logins: { [provider]: idToken } }),
    );
    const { Credentials } = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: { [provider]: idToken } }));
    return {
      accessKeyId: Credentials?.AccessKeyId ?? '',
      secretAccessKey: Credentials?.SecretKey ?? '',
      sessionToken: Credentials?.SessionToken ?? '',
    };
  }

  /** Device time of the forged readings: recent, so the Data Service would accept them. */
  const base = Date.now() - 60_000;
  const forgedReading = (deviceId: string, seq: number): string => {
    const message: TelemetryIngestMessage = {
      kind: 'telemetry',
      payload: Buffer.from(JSON.stringify({ ts: base + seq, seq, temperature: 99 })).toString('base64'),
      deviceId,
      clientId: deviceId,
      receivedAt: Date.now(),
      messageId: `forged-${seq}`,
    };
    return JSON.stringify(message);
  };

  it('serves the root keys and refuses made-up keys', async () => {
    await expect(client(DynamoDBClient, root).send(new ListTablesCommand({}))).resolves.toMatchObject({
      TableNames: expect.arrayContaining([telemetryTable.id]),
    });
    await expect(
      client(DynamoDBClient, { accessKeyId: 'AKIAMADEUPKEY', secretAccessKey: 'whatever' }).send(new ListTablesCommand({})),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    await expect(
      client(DynamoDBClient, { ...root, secretAccessKey: 'not-the-secret' }).send(new ListTablesCommand({})),
    ).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
  });

  it.skipIf(!awsCliInstalled)('works with the AWS CLI and the root keys, and fails with made-up keys', async () => {
    const cli = (keys: KeyPair, ...args: string[]) =>
      run('aws', ['--endpoint-url', platform.endpoints.awsEndpoint, '--region', region, '--output', 'json', ...args], {
        env: {
          PATH: process.env.PATH,
          HOME: platform.dataDir,
          AWS_ACCESS_KEY_ID: keys.accessKeyId,
          AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
        },
      });
    const listed = JSON.parse((await cli(root, 'sqs', 'list-queues')).stdout) as { QueueUrls: string[] };
    expect(listed.QueueUrls).toContain(ingestUrl());
    await expect(cli({ accessKeyId: 'AKIAMADEUPKEY', secretAccessKey: 'x' }, 'sqs', 'list-queues')).rejects.toMatchObject({
      stderr: expect.stringContaining('The security token included in the request is invalid'),
    });
    await expect(cli({ accessKeyId: 'AKIAMADEUPKEY', secretAccessKey: 'x' }, 's3', 'ls')).rejects.toMatchObject({
      stderr: expect.stringContaining('InvalidAccessKeyId'),
    });
  });

  it("refuses the API Service's task credentials what its role lacks: sending to the ingest queue", async () => {
    await expect(
      client(SQSClient, tasks.api).send(new SendMessageCommand({ QueueUrl: ingestUrl(), MessageBody: forgedReading('any', 1) })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(
        /assumed-role\/fleet-api-task-role\/.* is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:000000000000:fleet-ingest/,
      ),
    });
  });

  it("lets each service's task credentials reach its own tables only (docs/adr/0001-table-ownership.md)", async () => {
    const getItem = (service: 'api' | 'data', table: string) =>
      client(DynamoDBClient, tasks[service]).send(new GetItemCommand({ TableName: table, Key: { deviceId: { S: 'any' } } }));
    await expect(getItem('api', devicesTable.id)).resolves.toBeDefined();
    await expect(getItem('data', latestTable.id)).resolves.toBeDefined();
    await expect(getItem('api', latestTable.id)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(
        /fleet-api-task-role\/.* is not authorized to perform: dynamodb:GetItem on resource: .*table\/fleet-latest/,
      ),
    });
    await expect(getItem('data', devicesTable.id)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(
        /fleet-data-task-role\/.* is not authorized to perform: dynamodb:GetItem on resource: .*table\/fleet-devices/,
      ),
    });
  });

  it("refuses a browser's identity credentials table scans and forged readings; the same message from the Data Service's role is stored", async () => {
    const { device } = await user.api.registerDevice('victim');
    const browser = await browserCredentials(user.tokens.idToken);
    await expect(client(DynamoDBClient, browser).send(new ScanCommand({ TableName: telemetryTable.id }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('CognitoIdentityCredentials is not authorized to perform: dynamodb:Scan'),
    });
    await expect(
      client(SQSClient, browser).send(new SendMessageCommand({ QueueUrl: ingestUrl(), MessageBody: forgedReading(device.deviceId, 1) })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    // Control: the very same kind of message from a caller whose role allows it is stored, so the
    // refusal above is what kept the forged reading out of the device's history.
    await client(SQSClient, tasks.data).send(
      new SendMessageCommand({ QueueUrl: ingestUrl(), MessageBody: forgedReading(device.deviceId, 2) }),
    );
    await waitForStored(user, device.deviceId, base, base + 10, 1);
    expect((await allStoredReadings(user, device.deviceId, base, base + 10)).map((r) => r.seq)).toEqual([2]);
  });

  it('keeps Cognito admin operations closed to unsigned requests: nobody makes themselves admin', async () => {
    const res = await fetch(platform.endpoints.awsEndpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSCognitoIdentityProviderService.AdminAddUserToGroup', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ UserPoolId: platform.endpoints.userPoolId, Username: user.email, GroupName: 'admin' }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    const tokens = await signIn(platform.endpoints, user.email, user.password);
    const users = await fetch(new URL('/api/users', platform.endpoints.gatewayUrl), {
      headers: { authorization: `Bearer ${tokens.accessToken}` },
    });
    expect(users.status).toBe(403);
  });

  it("answers CORS for the platform's own origin only", async () => {
    const preflight = (origin: string) =>
      fetch(platform.endpoints.awsEndpoint, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-amz-target,content-type' },
      });
    const own = await preflight(new URL(platform.endpoints.gatewayUrl).origin);
    expect(own.status).toBe(204);
    expect(own.headers.get('access-control-allow-origin')).toBe(new URL(platform.endpoints.gatewayUrl).origin);
    const foreign = await preflight('https://attacker.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});
