/**
 * DescribeTable's ItemCount / TableSizeBytes / index figures counted by the stand-in, through the
 * real @aws-sdk/client-dynamodb v3 client and the AWS CLI v1 (botocore, which also checks the
 * x-amz-crc32 of the rewritten answer). Expected sizes are worked out by hand from DynamoDB's
 * rules ("Item sizes and formats", Developer Guide): name bytes + value bytes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  type AttributeValue,
  type TableDescription,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsEndpoint } from '../aws-endpoint/index.ts';
import { startDynamoDb, type DynamoDbOptions, type DynamoDbStandIn } from './dynamodb-stand-in.ts';

const run = promisify(execFile);
const awsCliInstalled = await run('aws', ['--version']).then(
  () => true,
  () => false,
);
if (!awsCliInstalled) console.warn('dynamodb table statistics: the AWS CLI is missing; skipping its checks.');

interface Harness {
  readonly standIn: DynamoDbStandIn;
  readonly ddb: DynamoDBClient;
  readonly endpointUrl: string;
  close(): Promise<void>;
}

async function startHarness(options: DynamoDbOptions): Promise<Harness> {
  const standIn = await startDynamoDb(options);
  const server: Server = createAwsEndpoint({ handlers: { dynamodb: (req) => standIn.handler(req) } });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ddb = new DynamoDBClient({
    endpoint: endpointUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    standIn,
    ddb,
    endpointUrl,
    async close() {
      ddb.destroy();
      await standIn.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const table = 'stats-readings';

async function createReadingsTable(ddb: DynamoDBClient, name = table): Promise<void> {
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
        { AttributeName: 'kind', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'by-kind',
          KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['value'] },
        },
      ],
    }),
  );
  // dynalite's table is CREATING for a tick even with createTableMs 0.
  await waitUntilTableExists({ client: ddb, maxWaitTime: 10, minDelay: 1 }, { TableName: name });
}

// Sizes by hand: pk 'dev-1' 2+5; sk 1 → 2+(1+1); kind 'temp' 4+4; value 21.5 (3 digits) 5+(1+2); note 'héllo' (6 UTF-8 bytes) 4+6.
const itemA: Record<string, AttributeValue> = {
  pk: { S: 'dev-1' },
  sk: { N: '1' },
  kind: { S: 'temp' },
  value: { N: '21.5' },
  note: { S: 'héllo' },
};
const sizeA = 7 + 4 + 8 + 8 + 10;
const indexSizeA = 7 + 4 + 8 + 8; // keys of the table and the index, plus the included `value`
// No `kind`: not in the sparse index. value -3: 5+(1+1+1 for the sign); tags SS: 4+(1+2).
const itemB: Record<string, AttributeValue> = { pk: { S: 'dev-1' }, sk: { N: '2' }, value: { N: '-3' }, tags: { SS: ['a', 'bc'] } };
const sizeB = 7 + 4 + 8 + 7;
// sk 1733100000123 (13 digits) 2+(1+7); kind 'humidity' 4+8; ok 2+1; m {x: 1} 1+(3+1+(1+2)).
const itemC: Record<string, AttributeValue> = {
  pk: { S: 'dev-2' },
  sk: { N: '1733100000123' },
  kind: { S: 'humidity' },
  ok: { BOOL: true },
  m: { M: { x: { N: '1' } } },
};
const sizeC = 7 + 10 + 12 + 3 + 8;
const indexSizeC = 7 + 10 + 12;

const describe_ = async (ddb: DynamoDBClient, name = table): Promise<TableDescription> =>
  (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table!;

/** The description with the counted figures zeroed: what dynalite answers by itself. */
const withoutFigures = (t: TableDescription): TableDescription => ({
  ...t,
  ItemCount: 0,
  TableSizeBytes: 0,
  GlobalSecondaryIndexes: t.GlobalSecondaryIndexes?.map((index) => ({ ...index, ItemCount: 0, IndexSizeBytes: 0 })),
});

describe('DescribeTable figures counted by the stand-in', () => {
  let dataDir: string;
  let harness: Harness;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dynamodb-stats-'));
    // No pass of its own during the test (the first is an hour away): the test runs them.
    harness = await startHarness({ dataDir, tableStatisticsFirstMs: 3_600_000, tableStatisticsPagePauseMs: 1_000 });
    await createReadingsTable(harness.ddb);
  });
  afterAll(async () => {
    await harness.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 0 for a table not counted yet, and the sizes of its items by DynamoDB rules after a count', async () => {
    const { ddb, standIn } = harness;
    for (const Item of [itemA, itemB, itemC]) await ddb.send(new PutItemCommand({ TableName: table, Item }));
    const before = await describe_(ddb);
    expect([before.ItemCount, before.TableSizeBytes]).toEqual([0, 0]);

    await standIn.refreshTableStatistics();
    const after = await describe_(ddb);
    expect(after.ItemCount).toBe(3);
    expect(after.TableSizeBytes).toBe(sizeA + sizeB + sizeC);
    expect(after.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.ItemCount, i.IndexSizeBytes])).toEqual([
      ['by-kind', 2, indexSizeA + indexSizeC],
    ]);
    // Everything else is dynalite's answer.
    expect(withoutFigures(after)).toEqual(withoutFigures(before));

    // The figures follow the data at the next count, not before.
    await ddb.send(new DeleteItemCommand({ TableName: table, Key: { pk: itemA.pk!, sk: itemA.sk! } }));
    expect((await describe_(ddb)).ItemCount).toBe(3);
    await standIn.refreshTableStatistics();
    const later = await describe_(ddb);
    expect([later.ItemCount, later.TableSizeBytes, later.GlobalSecondaryIndexes?.[0]?.IndexSizeBytes]).toEqual([
      2,
      sizeB + sizeC,
      indexSizeC,
    ]);
  });

  it.skipIf(!awsCliInstalled)('answers the same figures to the AWS CLI', async () => {
    await harness.standIn.refreshTableStatistics();
    const { stdout } = await run(
      'aws',
      [
        '--endpoint-url',
        harness.endpointUrl,
        '--region',
        'us-east-1',
        '--output',
        'json',
        'dynamodb',
        'describe-table',
        '--table-name',
        table,
      ],
      { env: { PATH: process.env.PATH, HOME: dataDir, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } },
    );
    const { Table } = JSON.parse(stdout) as { Table: TableDescription };
    expect([Table.ItemCount, Table.TableSizeBytes]).toEqual([2, sizeB + sizeC]);
    expect(Table.GlobalSecondaryIndexes?.[0]).toMatchObject({ IndexName: 'by-kind', ItemCount: 1, IndexSizeBytes: indexSizeC });
  });

  it('never makes a DescribeTable wait for a count: it answers the last figures while one runs', async () => {
    const { ddb, standIn } = harness;
    const big = 'stats-big';
    await createReadingsTable(ddb, big);
    // 1,200 items: three Scan pages of 500, with the 1 s pause between pages.
    for (let start = 0; start < 1_200; start += 25) {
      const RequestItems = {
        [big]: Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { pk: { S: 'dev-9' }, sk: { N: String(start + i + 1) } } } })),
      };
      await ddb.send(new BatchWriteItemCommand({ RequestItems }));
    }
    let counted = false;
    const counting = standIn.refreshTableStatistics().then(() => (counted = true));
    const during = await describe_(ddb, big);
    expect(counted).toBe(false);
    expect([during.ItemCount, during.TableSizeBytes]).toEqual([0, 0]);
    expect((await describe_(ddb)).ItemCount).toBe(2); // the other table keeps its last figures
    await counting;
    // Each item: pk 2+5, sk 2 + size of 1..1200 (1–4 digits: 2, 2, 3, 3 bytes; 1000..1200 has trailing zeros on 1000, 1100, 1200).
    const expectedBytes = Array.from({ length: 1_200 }, (_, i) => 7 + 2 + numberBytes(i + 1)).reduce((a, b) => a + b, 0);
    const after = await describe_(ddb, big);
    expect([after.ItemCount, after.TableSizeBytes]).toEqual([1_200, expectedBytes]);
  });

  it('starts a table deleted and created again at 0', async () => {
    const { ddb } = harness;
    await ddb.send(new DeleteTableCommand({ TableName: table }));
    // DELETING lasts until dynalite's timer fires (deleteTableMs 0 is still a tick, later on a busy
    // machine), and CreateTable of a deleting table is ResourceInUseException, as on AWS: wait it out.
    await until(async () => {
      try {
        await ddb.send(new DescribeTableCommand({ TableName: table }));
        return false;
      } catch (err) {
        return (err as Error).name === 'ResourceNotFoundException';
      }
    });
    await createReadingsTable(ddb);
    const fresh = await describe_(ddb);
    expect([fresh.ItemCount, fresh.TableSizeBytes]).toEqual([0, 0]);
  });
});

describe('counting in the background', () => {
  it('counts shortly after start, every interval, and again after a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dynamodb-stats-bg-'));
    try {
      let harness = await startHarness({ dataDir, tableStatisticsFirstMs: 100, tableStatisticsIntervalMs: 300 });
      await createReadingsTable(harness.ddb);
      await harness.ddb.send(new PutItemCommand({ TableName: table, Item: itemA }));
      await until(async () => (await describe_(harness.ddb)).ItemCount === 1);
      await harness.ddb.send(new PutItemCommand({ TableName: table, Item: itemC }));
      await until(async () => (await describe_(harness.ddb)).TableSizeBytes === sizeA + sizeC);
      await harness.close();

      // Figures live in memory: a new start counts them again shortly after.
      harness = await startHarness({ dataDir, tableStatisticsFirstMs: 100 });
      await until(async () => (await describe_(harness.ddb)).TableSizeBytes === sizeA + sizeC);
      await harness.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

/** Polls `condition` (a request each time) until it holds; throws after `timeoutMs`. */
async function until(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** DynamoDB's size of a positive integer by hand: significant digits without trailing zeros, ⌈n/2⌉ + 1, one more for an even count on an odd exponent. */
function numberBytes(value: number): number {
  const text = String(value);
  const digits = text.replace(/0+$/, '').length;
  const exponent = text.length - 1;
  return 1 + Math.ceil(digits / 2) + (digits % 2 === 0 && exponent % 2 === 0 ? 1 : 0);
}
