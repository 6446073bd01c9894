/**
 * Receipt handles and what a consumer does with them: DeleteMessage(Batch) and
 * ChangeMessageVisibility(Batch) (SQS API Reference). A handle is the base64url of queue name,
 * queue incarnation, message seq and the receive's generation, so a handle of another queue is
 * refused, and one of a purged or deleted message names nothing. A deletion is fsync'ed before its
 * promise resolves, so a deleted message never comes back after a crash; deleting a message that
 * is already gone is not an error, as on AWS.
 */
import { sqsError } from '../sqs-errors.ts';
import type { MessageRef } from '../sqs-queue-index.ts';
import { getQueue, type LiveQueue, type SqsState } from '../sqs-state.ts';
import { release } from './lifetime.ts';

export interface ParsedReceiptHandle {
  readonly incarnation: string;
  readonly seq: number;
  readonly generation: number;
}

export function receiptHandle(queue: LiveQueue, ref: MessageRef): string {
  return Buffer.from(`${queue.stored.name}\n${queue.stored.incarnation}\n${ref.seq}\n${ref.generation}`).toString('base64url');
}

/** @throws ReceiptHandleIsInvalid for a handle this queue did not issue (any incarnation). */
export function parseReceiptHandle(queue: LiveQueue, handle: string): ParsedReceiptHandle {
  const parts = Buffer.from(handle, 'base64url').toString('utf8').split('\n');
  const [name, incarnation, seqText, generationText] = parts;
  if (parts.length !== 4 || name !== queue.stored.name || !/^\d+$/.test(seqText ?? '') || !/^\d+$/.test(generationText ?? '')) {
    throw sqsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
  }
  return { incarnation: incarnation ?? '', seq: Number(seqText), generation: Number(generationText) };
}

/** The indexed message a handle names in the queue's current incarnation, if it is still there. */
export function messageOfHandle(queue: LiveQueue, parsed: ParsedReceiptHandle): MessageRef | undefined {
  return parsed.incarnation === queue.stored.incarnation ? queue.index.get(parsed.seq) : undefined;
}

/** @throws ReceiptHandleIsInvalid for a handle the queue did not issue (before anything is deleted). */
export async function deleteMessages(state: SqsState, name: string, receiptHandles: readonly string[]): Promise<void> {
  const queue = getQueue(state, name);
  const parsed = receiptHandles.map((handle) => parseReceiptHandle(queue, handle));
  const seqs: number[] = [];
  for (const handle of parsed) {
    const ref = messageOfHandle(queue, handle);
    if (!ref) continue; // deleted or purged meanwhile
    queue.index.remove(ref);
    seqs.push(ref.seq);
  }
  if (seqs.length > 0) await state.store.deleteMessages(queue.stored, seqs);
}

/** Validates a batch entry's handle before the durable delete. @throws ReceiptHandleIsInvalid */
export function checkReceiptHandle(state: SqsState, name: string, handle: string): void {
  parseReceiptHandle(getQueue(state, name), handle);
}

/**
 * Hides an in-flight message for `timeoutSeconds` from now; 0 makes it visible at once.
 * @throws ReceiptHandleIsInvalid, or MessageNotInflight for a message deleted or not in flight.
 */
export function changeVisibility(state: SqsState, name: string, handle: string, timeoutSeconds: number): void {
  const queue = getQueue(state, name);
  const ref = messageOfHandle(queue, parseReceiptHandle(queue, handle));
  if (!ref || ref.state !== 'inflight') {
    throw sqsError(
      'MessageNotInflight',
      `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
    );
  }
  queue.index.hide(ref, Date.now() + timeoutSeconds * 1000);
  if (timeoutSeconds === 0) release(state, queue, Date.now());
}
