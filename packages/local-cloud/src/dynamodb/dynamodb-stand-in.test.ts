/**
 * Contract tests of the DynamoDB stand-in (dynalite child process + TTL) through the real
 * @aws-sdk/client-dynamodb v3 client and the local AWS endpoint router.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  ExecuteStatementCommand,
  TransactGetItemsCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableNotExists,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { devicesTable, tables, telemetryTable } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsEndpoint, type AwsServiceHandler } from '../aws-endpoint/index.ts';
import { startDynamoDb, type DynamoDbStandIn } from './dynamodb-stand-in.ts';
import { waitFor } from '../child-process/wait-for.ts';
import { ensureTables } from './ensure-tables.ts';
import { isProcessAlive } from '../child-process/index.ts';

let dataDir: string;
let server: Server;
let standIn: DynamoDbStandIn;
let ddb: DynamoDBClient;
let handler: AwsServiceHandler = () => Promise.reject(new Error('stand-in not started'));

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dynamodb-stand-in-'));
  standIn = await startDynamoDb({ dataDir });
  handler = standIn.handler;
  server = createAwsEndpoint({ handlers: { dynamodb: (req) => handler(req) } });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ddb = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await ensureTables(ddb, tables);
});

afterAll(async () => {
  ddb.destroy();
  await standIn.close();
  await new Promise((resolve) => server.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });

describe('tables from the shared definitions', () => {
  it('creates the tables idempotently and enables TTL where defined', async () => {
    await ensureTables(ddb, tables);
    const telemetryTtl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: telemetryTable.id }));
    expect(telemetryTtl.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    const devicesTtl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: devicesTable.id }));
    expect(devicesTtl.TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
  });

  it('queries the GSI of the devices table', async () => {
    for (const [deviceId, ownerId, createdAt] of [
      ['d1', 'alice', '2026-01-01'],
      ['d2', 'alice', '2026-01-02'],
      ['d3', 'bob', '2026-01-03'],
    ] as const) {
      await ddb.send(
        new PutItemCommand({ TableName: devicesTable.id, Item: { deviceId: s(deviceId), ownerId: s(ownerId), createdAt: s(createdAt) } }),
      );
    }
    const { Items = [] } = await ddb.send(
      new QueryCommand({
        TableName: devicesTable.id,
        IndexName: 'byOwner',
        KeyConditionExpression: 'ownerId = :o',
        ExpressionAttributeValues: { ':o': s('alice') },
      }),
    );
    expect(Items.map((item) => item.deviceId?.S)).toEqual(['d1', 'd2']);
  });
});

describe('items', () => {
  it('refuses a conditional Put on an existing item with ConditionalCheckFailedException', async () => {
    const item = { deviceId: s('cond-1'), name: s('first') };
    await ddb.send(new PutItemCommand({ TableName: devicesTable.id, Item: item, ConditionExpression: 'attribute_not_exists(deviceId)' }));
    await expect(
      ddb.send(
        new PutItemCommand({
          TableName: devicesTable.id,
          Item: { ...item, name: s('second') },
          ConditionExpression: 'attribute_not_exists(deviceId)',
        }),
      ),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const { Item } = await ddb.send(new GetItemCommand({ TableName: devicesTable.id, Key: { deviceId: s('cond-1') } }));
    expect(Item?.name?.S).toBe('first');
  });

  it('applies an Update only when its condition holds (newer seq wins)', async () => {
    const key = { deviceId: s('latest-1') };
    const update = (seq: number) =>
      ddb.send(
        new UpdateItemCommand({
          TableName: 'fleet-latest',
          Key: key,
          UpdateExpression: 'SET seq = :seq',
          ConditionExpression: 'attribute_not_exists(seq) OR seq < :seq',
          ExpressionAttributeValues: { ':seq': n(seq) },
          ReturnValues: 'ALL_NEW',
        }),
      );
    expect((await update(5)).Attributes?.seq?.N).toBe('5');
    await expect(update(3)).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect((await update(7)).Attributes?.seq?.N).toBe('7');
  });

  it('writes 25 items in one BatchWriteItem and reads them back with BatchGetItem', async () => {
    const items = Array.from({ length: 25 }, (_, i) => ({ pk: s('batch#1'), sk: s(String(i).padStart(3, '0')), v: n(i) }));
    const { UnprocessedItems } = await ddb.send(
      new BatchWriteItemCommand({ RequestItems: { [telemetryTable.id]: items.map((Item) => ({ PutRequest: { Item } })) } }),
    );
    expect(UnprocessedItems ?? {}).toEqual({});
    const { Responses } = await ddb.send(
      new BatchGetItemCommand({ RequestItems: { [telemetryTable.id]: { Keys: items.slice(0, 10).map(({ pk, sk }) => ({ pk, sk })) } } }),
    );
    expect(Responses?.[telemetryTable.id]).toHaveLength(10);
  });

  it('paginates a Query with Limit and LastEvaluatedKey', async () => {
    const items = Array.from({ length: 23 }, (_, i) => ({ pk: s('page#1'), sk: s(String(i).padStart(3, '0')) }));
    await ddb.send(new BatchWriteItemCommand({ RequestItems: { [telemetryTable.id]: items.map((Item) => ({ PutRequest: { Item } })) } }));
    const seen: string[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    let pages = 0;
    do {
      const page = await ddb.send(
        new QueryCommand({
          TableName: telemetryTable.id,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': s('page#1') },
          Limit: 10,
          ExclusiveStartKey: startKey,
        }),
      );
      pages += 1;
      seen.push(...(page.Items ?? []).map((item) => item.sk?.S ?? ''));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    expect(pages).toBe(3);
    expect(seen).toEqual(items.map((item) => item.sk.S));
  });

  it('answers ResourceNotFoundException for a missing table', async () => {
    await expect(ddb.send(new GetItemCommand({ TableName: 'no-such-table', Key: { id: s('x') } }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

describe('what dynalite lacks', () => {
  it('answers an explicit UnknownOperationException for operations dynalite lacks (PartiQL)', async () => {
    const error = await ddb.send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM "fleet-latest"' })).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DynamoDBServiceException);
    expect((error as DynamoDBServiceException).name).toBe('UnknownOperationException');
    expect((error as Error).message).toContain('ExecuteStatement');
  });

  it('answers TTL calls like AWS: missing table, already enabled, disable', async () => {
    await expect(
      ddb.send(new UpdateTimeToLiveCommand({ TableName: 'no-such-table', TimeToLiveSpecification: { Enabled: true, AttributeName: 'x' } })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    const toggleTable = {
      TableName: 'ttl-toggle',
      BillingMode: 'PAY_PER_REQUEST' as const,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }],
    };
    await ddb.send(new CreateTableCommand(toggleTable));
    const enabled = await ddb.send(
      new UpdateTimeToLiveCommand({ TableName: 'ttl-toggle', TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' } }),
    );
    expect(enabled.TimeToLiveSpecification).toEqual({ Enabled: true, AttributeName: 'ttl' });
    const again = await ddb
      .send(new UpdateTimeToLiveCommand({ TableName: 'ttl-toggle', TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' } }))
      .catch((err: unknown) => err);
    expect((again as Error).name).toBe('ValidationException');
    await ddb.send(
      new UpdateTimeToLiveCommand({ TableName: 'ttl-toggle', TimeToLiveSpecification: { Enabled: false, AttributeName: 'ttl' } }),
    );
    expect((await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'ttl-toggle' }))).TimeToLiveDescription?.TimeToLiveStatus).toBe(
      'DISABLED',
    );
    await ddb.send(
      new UpdateTimeToLiveCommand({ TableName: 'ttl-toggle', TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' } }),
    );
    // A deleted then re-created table starts with TTL disabled, as on AWS.
    await ddb.send(new DeleteTableCommand({ TableName: 'ttl-toggle' }));
    await waitUntilTableNotExists({ client: ddb, maxWaitTime: 10, minDelay: 0.1, maxDelay: 0.2 }, { TableName: 'ttl-toggle' });
    await ddb.send(new CreateTableCommand(toggleTable));
    expect((await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'ttl-toggle' }))).TimeToLiveDescription?.TimeToLiveStatus).toBe(
      'DISABLED',
    );
  });

  it('sweeps items whose TTL passed, and leaves future, non-numeric and updated ones', async () => {
    const now = Math.floor(Date.now() / 1000);
    const put = (sk: string, expiresAt: AttributeValue | undefined) =>
      ddb.send(
        new PutItemCommand({ TableName: telemetryTable.id, Item: { pk: s('ttl#1'), sk: s(sk), ...(expiresAt ? { expiresAt } : {}) } }),
      );
    await put('past', n(now - 60));
    await put('future', n(now + 3600));
    await put('string', s(String(now - 60)));
    await put('none', undefined);
    await put('ancient', n(now - 6 * 365 * 24 * 3600));
    const deleted = await standIn.sweepExpiredItems();
    expect(deleted).toBe(1);
    const { Items = [] } = await ddb.send(
      new QueryCommand({
        TableName: telemetryTable.id,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': s('ttl#1') },
      }),
    );
    expect(Items.map((item) => item.sk?.S).sort()).toEqual(['ancient', 'future', 'none', 'string']);
  });
});

describe('transactions (emulated on dynalite)', () => {
  const latest = 'fleet-latest';
  const get = async (deviceId: string) => (await ddb.send(new GetItemCommand({ TableName: latest, Key: { deviceId: s(deviceId) } }))).Item;

  it('applies every item of a TransactWriteItems whose conditions hold', async () => {
    await ddb.send(new PutItemCommand({ TableName: latest, Item: { deviceId: s('tx-a'), seq: n(1) } }));
    await ddb.send(new PutItemCommand({ TableName: latest, Item: { deviceId: s('tx-gone'), seq: n(1) } }));
    await ddb.send(new PutItemCommand({ TableName: latest, Item: { deviceId: s('tx-check'), seq: n(1) } }));
    await ddb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: {
              TableName: latest,
              Key: { deviceId: s('tx-a') },
              UpdateExpression: 'SET seq = :s',
              ConditionExpression: 'seq < :s',
              ExpressionAttributeValues: { ':s': n(2) },
            },
          },
          {
            Put: {
              TableName: latest,
              Item: { deviceId: s('tx-b'), seq: n(1), blob: { B: new Uint8Array([0, 255]) } },
              ConditionExpression: 'attribute_not_exists(deviceId)',
            },
          },
          { Delete: { TableName: latest, Key: { deviceId: s('tx-gone') } } },
          {
            ConditionCheck: {
              TableName: devicesTable.id,
              Key: { deviceId: s('tx-no-device') },
              ConditionExpression: 'attribute_not_exists(deviceId)',
            },
          },
          {
            ConditionCheck: {
              TableName: latest,
              Key: { deviceId: s('tx-check') },
              ConditionExpression: 'seq = :one',
              ExpressionAttributeValues: { ':one': n(1) },
            },
          },
        ],
      }),
    );
    expect((await get('tx-a'))?.seq?.N).toBe('2');
    expect([...((await get('tx-b'))?.blob?.B ?? [])]).toEqual([0, 255]);
    expect(await get('tx-gone')).toBeUndefined();
    // The condition checks wrote nothing.
    expect(await get('tx-check')).toEqual({ deviceId: s('tx-check'), seq: n(1) });
    expect((await ddb.send(new GetItemCommand({ TableName: devicesTable.id, Key: { deviceId: s('tx-no-device') } }))).Item).toBeUndefined();
  });

  it('cancels the whole transaction when one condition fails, restoring the items already written', async () => {
    await ddb.send(new PutItemCommand({ TableName: latest, Item: { deviceId: s('tx-c'), seq: n(5) } }));
    await ddb.send(new PutItemCommand({ TableName: latest, Item: { deviceId: s('tx-d'), seq: n(9) } }));
    const error = await ddb
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: latest,
                Key: { deviceId: s('tx-c') },
                UpdateExpression: 'SET seq = :s',
                ExpressionAttributeValues: { ':s': n(6) },
              },
            },
            { Put: { TableName: latest, Item: { deviceId: s('tx-new'), seq: n(1) } } },
            {
              ConditionCheck: {
                TableName: latest,
                Key: { deviceId: s('tx-d') },
                ConditionExpression: 'seq < :max',
                ExpressionAttributeValues: { ':max': n(3) },
              },
            },
          ],
        }),
      )
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual([
      'None',
      'None',
      'ConditionalCheckFailed',
    ]);
    expect((await get('tx-c'))?.seq?.N).toBe('5');
    expect(await get('tx-new')).toBeUndefined();
    expect((await get('tx-d'))?.seq?.N).toBe('9');
  });

  it('refuses two operations on one item', async () => {
    const error = await ddb
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: latest, Item: { deviceId: s('tx-e') } } },
            { Delete: { TableName: latest, Key: { deviceId: s('tx-e') } } },
          ],
        }),
      )
      .catch((err: unknown) => err);
    expect((error as Error).name).toBe('ValidationException');
  });

  it('reads items with TransactGetItems', async () => {
    await ddb.send(new PutItemCommand({ TableName: latest, Item: { deviceId: s('tx-f'), seq: n(3) } }));
    const { Responses } = await ddb.send(
      new TransactGetItemsCommand({
        TransactItems: [
          { Get: { TableName: latest, Key: { deviceId: s('tx-f') } } },
          { Get: { TableName: latest, Key: { deviceId: s('tx-none') } } },
        ],
      }),
    );
    expect(Responses?.[0]?.Item?.seq?.N).toBe('3');
    expect(Responses?.[1]?.Item).toBeUndefined();
  });
});

describe('persistence', () => {
  it('keeps items and TTL settings across a restart of the child on the same data folder', async () => {
    await ddb.send(new PutItemCommand({ TableName: devicesTable.id, Item: { deviceId: s('persist-1') } }));
    await standIn.close();
    standIn = await startDynamoDb({ dataDir });
    handler = standIn.handler;
    const { Item } = await ddb.send(new GetItemCommand({ TableName: devicesTable.id, Key: { deviceId: s('persist-1') } }));
    expect(Item?.deviceId?.S).toBe('persist-1');
    const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: telemetryTable.id }));
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
  });

  it('survives SIGKILL of the dynalite process', async () => {
    await ddb.send(new PutItemCommand({ TableName: devicesTable.id, Item: { deviceId: s('killed-1') } }));
    process.kill(standIn.process.status().pid ?? -1, 'SIGKILL');
    await standIn.close();
    standIn = await startDynamoDb({ dataDir });
    handler = standIn.handler;
    const { Item } = await ddb.send(new GetItemCommand({ TableName: devicesTable.id, Key: { deviceId: s('killed-1') } }));
    expect(Item?.deviceId?.S).toBe('killed-1');
  });
});

describe('supervision', () => {
  it("restarts dynalite after kill -9, answering DynamoDB's retryable 503 while it is down, never a 500", async () => {
    await ddb.send(new PutItemCommand({ TableName: devicesTable.id, Item: { deviceId: s('supervised-1') } }));
    const before = standIn.process.status();
    const twoAttempts = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 2,
    });
    process.kill(before.pid ?? -1, 'SIGKILL');

    // The supervisor waits 0.5 s before the replacement: both attempts fall into the outage.
    const err = (await twoAttempts
      .send(new GetItemCommand({ TableName: devicesTable.id, Key: { deviceId: s('supervised-1') } }))
      .catch((e: unknown) => e)) as DynamoDBServiceException;
    twoAttempts.destroy();
    expect(err).toBeInstanceOf(DynamoDBServiceException);
    expect(err).toMatchObject({ name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503, attempts: 2 } });
    expect(err.message).toMatch(/DynamoDB is restarting; retry/);

    await waitFor('dynalite up again', () => standIn.process.status().state === 'up');
    expect(standIn.process.status()).toMatchObject({ restarts: before.restarts + 1, port: before.port, lastExit: { signal: 'SIGKILL' } });
    const { Item } = await ddb.send(new GetItemCommand({ TableName: devicesTable.id, Key: { deviceId: s('supervised-1') } }));
    expect(Item?.deviceId?.S).toBe('supervised-1');
  });
});

describe('input dynalite would crash on (issue 7)', () => {
  const endpoint = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (target: string, body: string) =>
    fetch(endpoint(), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${target}`,
        authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body,
    });

  it('answers SerializationException for a body that is null, an array or a number, and dynalite lives on', async () => {
    for (const body of ['null', '[]', '42', '"Scan"']) {
      const res = await post('Scan', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { __type: string }).__type).toBe('com.amazon.coral.service#SerializationException');
    }
    expect(isProcessAlive(standIn.process.status().pid ?? -1)).toBe(true);
    await expect(ddb.send(new GetItemCommand({ TableName: devicesTable.id, Key: { deviceId: s('alive') } }))).resolves.toBeDefined();
  });

  // Found by aws-port-fuzz.test.ts (seed -646931713): `{"TransactItems":[null]}` answered a 500.
  it('answers ValidationException for transaction items that are null or not structures', async () => {
    const key = { deviceId: { S: 'alive' } };
    const bodies: [string, unknown[]][] = [
      ['TransactGetItems', [null]],
      ['TransactGetItems', [{ Get: null }]],
      ['TransactGetItems', [42]],
      ['TransactGetItems', [{ Get: { TableName: devicesTable.id, Key: key } }, 'Get']],
      ['TransactWriteItems', [null]],
      ['TransactWriteItems', [{ Put: null }]],
      ['TransactWriteItems', [{ Delete: 'x' }]],
      ['TransactWriteItems', [[{ Put: { TableName: devicesTable.id, Item: key } }]]],
    ];
    for (const [target, items] of bodies) {
      const res = await post(target, JSON.stringify({ TransactItems: items }));
      expect(res.status, `${target} ${JSON.stringify(items)}`).toBe(400);
      expect(((await res.json()) as { __type: string }).__type).toBe('com.amazon.coral.validate#ValidationException');
    }
    expect(isProcessAlive(standIn.process.status().pid ?? -1)).toBe(true);
  });

  it('answers ValidationException for attribute values nested deeper than DynamoDB allows, and dynalite lives on', async () => {
    let value = '{"S":"leaf"}';
    for (let i = 0; i < 20_000; i++) value = `{"L":[${value}]}`;
    const res = await post('PutItem', `{"TableName":"${devicesTable.id}","Item":{"deviceId":{"S":"deep"},"v":${value}}}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ message: 'Nesting Levels have exceeded supported limits' });
    expect(isProcessAlive(standIn.process.status().pid ?? -1)).toBe(true);
    await expect(ddb.send(new GetItemCommand({ TableName: devicesTable.id, Key: { deviceId: s('alive') } }))).resolves.toBeDefined();
  });
});
