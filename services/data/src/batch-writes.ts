/**
 * BatchWriteItem puts, 25 items a call
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html): the
 * items DynamoDB leaves unprocessed (throttling) are sent again with a growing pause until none is
 * left, as the API reference asks. Unconditional: only for items no one else writes meanwhile.
 * And their reads: BatchGetItem, 100 keys a call, strongly consistent, unprocessed keys asked again.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, BatchWriteCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { chunk, mapWithLimit } from '@fleet/core';
import type { WriteUnitsListener } from './consumed-capacity.ts';
import { withBackoff } from './retry.ts';

export async function batchPut(
  deps: { client: DynamoDBDocumentClient; tableName: string; onWriteUnits?: WriteUnitsListener | undefined; concurrency?: number },
  items: readonly Record<string, unknown>[],
): Promise<void> {
  const table = deps.tableName;
  await mapWithLimit(chunk(items, 25), deps.concurrency ?? 4, async (part) => {
    let requests = part.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 10) throw new Error(`BatchWriteItem left ${requests.length} items of ${table} unprocessed after ${attempt} attempts`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const out = await withBackoff(() =>
        deps.client.send(new BatchWriteCommand({ RequestItems: { [table]: requests }, ReturnConsumedCapacity: 'TOTAL' })),
      );
      for (const c of out.ConsumedCapacity ?? []) if (c.CapacityUnits !== undefined) deps.onWriteUnits?.(c.CapacityUnits);
      requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  });
}

/** The map key `batchGet` answers an item under. */
export const itemKey = (pk: unknown, sk: unknown) => `${String(pk)}\u0000${String(sk)}`;

/** The items of `keys` (`{pk, sk}`) that exist, by `itemKey(pk, sk)`. */
export async function batchGet(
  deps: { client: DynamoDBDocumentClient; tableName: string; concurrency?: number },
  keys: readonly { readonly pk: string; readonly sk: string }[],
): Promise<Map<string, Record<string, unknown>>> {
  const table = deps.tableName;
  const found = new Map<string, Record<string, unknown>>();
  await mapWithLimit(chunk(keys, 100), deps.concurrency ?? 4, async (part) => {
    let pending: Record<string, unknown>[] | undefined = part.map(({ pk, sk }) => ({ pk, sk }));
    while (pending && pending.length > 0) {
      const ask = pending;
      const out: BatchGetCommandOutput = await withBackoff(() =>
        deps.client.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: ask, ConsistentRead: true } } })),
      );
      for (const item of out.Responses?.[table] ?? []) found.set(itemKey(item['pk'], item['sk']), item);
      pending = out.UnprocessedKeys?.[table]?.Keys;
    }
  });
  return found;
}
