/**
 * Real DynamoDB and S3 protocols in-process for tests: dynalite and s3rver on ephemeral ports,
 * with the tables of `@fleet/core` and the bucket created, and SDK v3 clients pointed at them.
 * Test support only. (dynalite and s3rver ship no type declarations: they are loaded through
 * `createRequire` with the small shapes used here.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableDefinition } from '@fleet/core';
import { tables, telemetryBucket } from '@fleet/core';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: { createTableMs?: number; maxItemSizeKb?: number }) => Server;
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
}
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'us-east-1';

export interface LocalAws {
  readonly dynamo: DynamoDBDocumentClient;
  readonly rawDynamo: DynamoDBClient;
  readonly s3: S3Client;
  readonly dynamoEndpoint: string;
  readonly bucket: string;
  readonly tableNames: { readonly devices: string; readonly latest: string; readonly telemetry: string };
  close(): Promise<void>;
}

/** CreateTable input of a shared table definition (on-demand, as the CDK app creates it). */
export function createTableInput(table: TableDefinition): CreateTableCommandInput {
  const attributes = new Map<string, 'S' | 'N'>();
  const keys = [table.partitionKey, ...(table.sortKey ? [table.sortKey] : [])];
  for (const k of keys) attributes.set(k.name, k.type);
  for (const index of table.globalSecondaryIndexes ?? []) {
    attributes.set(index.partitionKey.name, index.partitionKey.type);
    if (index.sortKey) attributes.set(index.sortKey.name, index.sortKey.type);
  }
  return {
    TableName: table.id,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: [
      { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
      ...(table.sortKey ? [{ AttributeName: table.sortKey.name, KeyType: 'RANGE' as const }] : []),
    ],
    GlobalSecondaryIndexes: table.globalSecondaryIndexes?.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
        ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' as const }] : []),
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}

const listen = (server: Server) =>
  new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address() as AddressInfo));
  });

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** Starts dynalite and s3rver; `maxItemSizeKb` lowers dynalite's 400 KB item limit for tests. */
export async function startLocalAws(options: { maxItemSizeKb?: number } = {}): Promise<LocalAws> {
  const dynamoServer = dynalite({ createTableMs: 0, ...(options.maxItemSizeKb ? { maxItemSizeKb: options.maxItemSizeKb } : {}) });
  const dynamoAddress = await listen(dynamoServer);
  const dynamoEndpoint = `http://127.0.0.1:${dynamoAddress.port}`;
  const rawDynamo = new DynamoDBClient({ endpoint: dynamoEndpoint, region, credentials });
  for (const table of tables) await rawDynamo.send(new CreateTableCommand(createTableInput(table)));

  const directory = await mkdtemp(join(tmpdir(), 'fleet-data-s3-'));
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: telemetryBucket.id }] });
  const s3Address = await s3rver.run();
  const s3 = new S3Client({
    endpoint: `http://127.0.0.1:${s3Address.port}`,
    region,
    // s3rver checks signatures against its one built-in key pair.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });

  return {
    dynamo: DynamoDBDocumentClient.from(rawDynamo, { marshallOptions: { removeUndefinedValues: true } }),
    rawDynamo,
    s3,
    dynamoEndpoint,
    bucket: telemetryBucket.id,
    tableNames: { devices: tables[0].id, latest: tables[1].id, telemetry: tables[2].id },
    async close() {
      rawDynamo.destroy();
      s3.destroy();
      await closeServer(dynamoServer);
      if (s3rver.httpServer) await closeServer(s3rver.httpServer);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
