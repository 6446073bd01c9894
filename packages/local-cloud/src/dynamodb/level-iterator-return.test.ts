/**
 * dynalite must not leave LevelDB iterators open (issue 7, item 15): each one pins a snapshot, so
 * memory and the data folder grew with every write (3.0 GB RSS and 2.8 GB on disk after 100,000
 * readings with queries and TTL sweeps; see bench/src/dynalite-memory.ts). Counts the database's
 * open resources (abstract-level attaches every iterator to its database until it is closed)
 * around the operations that read through iterators: Query (to the end, and stopped by Limit),
 * Scan with a filter, ListTables.
 */
import './level-iterator-return.mjs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: { path: string; createTableMs: number }) => Server;
// The copy of abstract-level that dynalite's database uses (the patch resolves it the same way).
const fromLevel = createRequire(createRequire(require.resolve('dynalite')).resolve('level'));
const { AbstractLevel } = createRequire(fromLevel.resolve('classic-level'))('abstract-level') as {
  AbstractLevel: { prototype: { attachResource(resource: unknown): void; detachResource(resource: unknown): void } };
};

const open = new Set<unknown>();
const { attachResource, detachResource } = AbstractLevel.prototype;
let dataDir: string;
let server: Server;
let client: DynamoDBClient;

beforeAll(async () => {
  AbstractLevel.prototype.attachResource = function (this: unknown, resource: unknown) {
    open.add(resource);
    attachResource.call(this, resource);
  };
  AbstractLevel.prototype.detachResource = function (this: unknown, resource: unknown) {
    open.delete(resource);
    detachResource.call(this, resource);
  };
  dataDir = await mkdtemp(join(tmpdir(), 'level-iterators-'));
  server = dynalite({ path: join(dataDir, 'db'), createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: 'readings',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  // dynalite flips a new table to ACTIVE on a timer, even with createTableMs 0.
  await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 }, { TableName: 'readings' });
  for (let sk = 0; sk < 20; sk++) {
    await client.send(new PutItemCommand({ TableName: 'readings', Item: { pk: { S: 'd' }, sk: { N: String(sk) }, v: { N: '1' } } }));
  }
});

afterAll(async () => {
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
  AbstractLevel.prototype.attachResource = attachResource;
  AbstractLevel.prototype.detachResource = detachResource;
  await rm(dataDir, { recursive: true, force: true });
});

/** Open resources settle once the streams' destroy callbacks ran. */
async function openAfterSettling(): Promise<number> {
  for (let i = 0; i < 50 && open.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return open.size;
}

it('closes the iterator of every Query, Scan and ListTables, read to the end or stopped early', async () => {
  for (let round = 0; round < 10; round++) {
    const all = await client.send(
      new QueryCommand({ TableName: 'readings', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'd' } } }),
    );
    expect(all.Items).toHaveLength(20);
    const page = await client.send(
      new QueryCommand({
        TableName: 'readings',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'd' } },
        Limit: 3,
      }),
    );
    expect(page.LastEvaluatedKey).toBeDefined();
    await client.send(
      new ScanCommand({ TableName: 'readings', FilterExpression: 'sk > :n', ExpressionAttributeValues: { ':n': { N: '15' } } }),
    );
    await client.send(new ListTablesCommand({}));
  }
  expect(await openAfterSettling()).toBe(0);
});
