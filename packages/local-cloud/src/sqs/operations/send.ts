/**
 * SendMessage / SendMessageBatch: each entry is checked against the queue's MaximumMessageSize,
 * digested (MD5 of body and attributes, which the SDK verifies) and written; the promise resolves
 * once the whole batch is fsync'ed (sqs-store.ts), so a sent message survives a crash.
 */
import { randomUUID } from 'node:crypto';
import type { AwsError } from '../../aws-endpoint/index.ts';
import { invalidParameter, queueDoesNotExist } from '../sqs-errors.ts';
import { md5Hex, md5OfMessageAttributes, type MessageAttributeValue } from '../sqs-md5.ts';
import { addRef, getQueue, wake, type SqsState } from '../sqs-state.ts';
import type { StoredMessage } from '../sqs-store.ts';

export interface SendEntry {
  readonly body: string;
  readonly attributes?: Readonly<Record<string, MessageAttributeValue>>;
  readonly delaySeconds?: number;
}

export interface SentMessage {
  readonly messageId: string;
  readonly md5Body: string;
  readonly md5Attributes?: string;
}

/** One result per entry, in order: the sent message, or why that entry was refused. Durable once resolved. */
export async function send(state: SqsState, name: string, entries: readonly SendEntry[]): Promise<(SentMessage | AwsError)[]> {
  const queue = getQueue(state, name);
  const now = Date.now();
  const results: (SentMessage | AwsError)[] = [];
  const prepared: { seq: number; message: StoredMessage }[] = [];
  for (const entry of entries) {
    const attributes = entry.attributes && Object.keys(entry.attributes).length > 0 ? entry.attributes : undefined;
    const size = Buffer.byteLength(entry.body) + attributesSize(attributes);
    if (size > queue.config.maximumMessageSize) {
      results.push(
        invalidParameter(
          `One or more parameters are invalid. Reason: Message must be shorter than ${queue.config.maximumMessageSize} bytes.`,
        ),
      );
      continue;
    }
    const delay = entry.delaySeconds ?? queue.config.delaySeconds;
    const md5Attributes = attributes ? md5OfMessageAttributes(attributes) : undefined;
    const message: StoredMessage = {
      id: randomUUID(),
      body: entry.body,
      md5Body: md5Hex(entry.body),
      sentTimestamp: now,
      ...(attributes ? { attributes, md5Attributes } : {}),
      ...(delay > 0 ? { delayedUntil: now + delay * 1000 } : {}),
    };
    prepared.push({ seq: queue.nextSeq++, message });
    results.push({ messageId: message.id, md5Body: message.md5Body, ...(md5Attributes ? { md5Attributes } : {}) });
  }
  if (prepared.length === 0) return results;
  const stored = queue.stored;
  await state.store.putMessages(stored, prepared);
  if (state.queues.get(name) !== queue) throw queueDoesNotExist();
  // A purge during the write already removed these (AWS: messages sent during a purge may go too).
  if (queue.stored.incarnation === stored.incarnation) for (const { seq, message } of prepared) addRef(queue, seq, message, 0, undefined);
  wake(queue);
  return results;
}

/** The size SQS counts against MaximumMessageSize: body plus each attribute's name, type and value. */
export function attributesSize(attributes: Readonly<Record<string, MessageAttributeValue>> | undefined): number {
  if (!attributes) return 0;
  let size = 0;
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    size += value.BinaryValue !== undefined ? Buffer.from(value.BinaryValue, 'base64').length : Buffer.byteLength(value.StringValue ?? '');
  }
  return size;
}
