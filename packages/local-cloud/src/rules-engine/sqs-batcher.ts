/**
 * Groups the SQS action's sends into SendMessageBatch calls. IoT Core's SQS action is a managed
 * fleet that scales out; the local rules engine is one process, and one SendMessage (one fsync in
 * the local SQS) per message capped ingest at a few hundred per second. Each caller still learns
 * the fate of its own message, so the broker's PUBACK keeps meaning "on the queue": an entry is
 * resolved only when the answer lists it under `Successful` (SQS stores it before answering), and
 * rejected when it is under `Failed` or missing from the answer.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** SQS limits: 10 entries and 256 KiB of bodies per batch. */
const maxEntries = 10;
const maxBatchBytes = 256 * 1024;

interface Pending {
  readonly body: string;
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export interface SqsBatcher {
  send(queueUrl: string, body: string): Promise<void>;
}

export function createSqsBatcher(client: Pick<SQSClient, 'send'>): SqsBatcher {
  const queues = new Map<string, { entries: Pending[]; bytes: number; scheduled: boolean }>();

  function flush(queueUrl: string): void {
    const queue = queues.get(queueUrl);
    if (!queue || queue.entries.length === 0) return;
    const entries = queue.entries;
    queues.delete(queueUrl);
    client
      .send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries.map((e, i) => ({ Id: String(i), MessageBody: e.body })) }))
      .then(
        (out) => {
          const failed = new Map((out.Failed ?? []).map((f) => [f.Id, f]));
          const succeeded = new Set((out.Successful ?? []).map((s) => s.Id));
          entries.forEach((entry, i) => {
            const failure = failed.get(String(i));
            if (failure) entry.reject(new Error(`${failure.Code ?? 'SendMessageBatch entry failed'}: ${failure.Message ?? ''}`.trim()));
            else if (succeeded.has(String(i))) entry.resolve();
            else entry.reject(new Error(`SendMessageBatch answered neither Successful nor Failed for entry ${i}`));
          });
        },
        (err: unknown) => {
          for (const entry of entries) entry.reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
  }

  return {
    send(queueUrl, body) {
      return new Promise<void>((resolve, reject) => {
        const bytes = Buffer.byteLength(body);
        let queue = queues.get(queueUrl);
        if (queue && queue.bytes + bytes > maxBatchBytes) {
          flush(queueUrl);
          queue = undefined;
        }
        if (!queue) {
          queue = { entries: [], bytes: 0, scheduled: false };
          queues.set(queueUrl, queue);
        }
        queue.entries.push({ body, bytes, resolve, reject });
        queue.bytes += bytes;
        if (queue.entries.length >= maxEntries) return flush(queueUrl);
        if (!queue.scheduled) {
          queue.scheduled = true;
          // Whatever arrives in the same turn of the event loop travels together; no added delay.
          setImmediate(() => flush(queueUrl));
        }
      });
    },
  };
}
