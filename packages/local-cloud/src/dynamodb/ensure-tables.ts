/**
 * Creates the tables of the shared definitions (`@fleet/core` resources) if missing, and enables
 * TTL where a definition names a TTL attribute. Idempotent: an existing table is left as it is
 * (its schema is not compared), so it can run at every start of the local cloud.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type DynamoDBClient,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import type { KeyAttribute, TableDefinition } from '@fleet/core';

export async function ensureTables(client: DynamoDBClient, defs: readonly TableDefinition[]): Promise<void> {
  for (const def of defs) {
    try {
      await client.send(new CreateTableCommand(createTableInput(def)));
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw new Error(`Creating DynamoDB table ${def.id} failed`, { cause: err });
    }
    await waitActive(client, def.id);
    if (def.timeToLiveAttribute) {
      const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: def.id }));
      if (TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED' && TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLING') {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: def.id,
            TimeToLiveSpecification: { Enabled: true, AttributeName: def.timeToLiveAttribute },
          }),
        );
      }
    }
  }
}

/** The CreateTable request of a shared definition: on-demand billing, GSIs projecting all attributes. */
export function createTableInput(def: TableDefinition): ConstructorParameters<typeof CreateTableCommand>[0] {
  const attributes = new Map<string, KeyAttribute['type']>();
  const keySchema = (partition: KeyAttribute, sort?: KeyAttribute): KeySchemaElement[] => {
    attributes.set(partition.name, partition.type);
    if (sort) attributes.set(sort.name, sort.type);
    return [{ AttributeName: partition.name, KeyType: 'HASH' }, ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' as const }] : [])];
  };
  const KeySchema = keySchema(def.partitionKey, def.sortKey);
  const GlobalSecondaryIndexes = def.globalSecondaryIndexes?.map((gsi) => ({
    IndexName: gsi.indexName,
    KeySchema: keySchema(gsi.partitionKey, gsi.sortKey),
    Projection: { ProjectionType: 'ALL' as const },
  }));
  const AttributeDefinitions: AttributeDefinition[] = [...attributes].map(([AttributeName, AttributeType]) => ({
    AttributeName,
    AttributeType,
  }));
  return {
    TableName: def.id,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema,
    AttributeDefinitions,
    ...(GlobalSecondaryIndexes?.length ? { GlobalSecondaryIndexes } : {}),
  };
}

async function waitActive(client: DynamoDBClient, table: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`DynamoDB table ${table} is ${Table?.TableStatus}, expected ACTIVE within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
