/**
 * SQS's batch calls (SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch) take at
 * most 10 entries and answer per entry: the ingest queue's deletes and visibility changes, and the
 * replay's sends, go through here.
 */
import { chunk } from '@fleet/core';

/** Entries per batch call (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessageBatch.html). */
const maxBatchEntries = 10;

/**
 * Sends `items` ten at a time through `send` (one batch call, each entry's `Id` its index in the
 * batch), and returns the items of the entries the batch answered as failed, or of the whole batch
 * when the call failed.
 */
export async function inSqsBatches<T>(
  items: readonly T[],
  send: (batch: readonly T[]) => Promise<{ Failed?: { Id?: string }[] }>,
): Promise<T[]> {
  const failed: T[] = [];
  for (const batch of chunk(items, maxBatchEntries)) {
    try {
      const out = await send(batch);
      for (const f of out.Failed ?? []) {
        const item = batch[Number(f.Id)];
        if (item !== undefined) failed.push(item);
      }
    } catch {
      failed.push(...batch);
    }
  }
  return failed;
}
