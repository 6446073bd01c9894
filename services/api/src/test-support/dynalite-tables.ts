/**
 * DynamoDB for tests: dynalite in process on an ephemeral port, with the tables of core's
 * `tables` (NOTES.md: `createTableMs: 0` skips the CREATING state).
 */
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tables, type TableDefinition } from '@fleet/core';

type Dynalite = (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

// dynalite ships no types; it is only used here, so it is typed at the point of use.
const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;

export interface TestDynamo {
  readonly doc: DynamoDBDocumentClient;
  readonly raw: DynamoDBClient;
  close(): Promise<void>;
}

export function createTableInput(table: TableDefinition): CreateTableCommandInput {
  const attributes = new Map<string, 'S' | 'N'>();
  const key = (k: TableDefinition['partitionKey'], type: 'HASH' | 'RANGE') => {
    attributes.set(k.name, k.type);
    return { AttributeName: k.name, KeyType: type };
  };
  const keySchema = [key(table.partitionKey, 'HASH'), ...(table.sortKey ? [key(table.sortKey, 'RANGE' as const)] : [])];
  const indexes = (table.globalSecondaryIndexes ?? []).map((gsi) => ({
    IndexName: gsi.indexName,
    KeySchema: [key(gsi.partitionKey, 'HASH'), ...(gsi.sortKey ? [key(gsi.sortKey, 'RANGE' as const)] : [])],
    Projection: { ProjectionType: 'ALL' as const },
  }));
  return {
    TableName: table.id,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: keySchema,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes } : {}),
  };
}

export async function startTestDynamo(): Promise<TestDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const raw = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  for (const table of tables) await raw.send(new CreateTableCommand(createTableInput(table)));
  const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return {
    doc,
    raw,
    async close() {
      raw.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
