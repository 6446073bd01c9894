/**
 * Groups the SQS action's sends into batches. IoT Core's SQS action is a managed fleet that scales
 * out; the local rules engine is one process, and one SendMessage (one fsync in the local SQS) per
 * message capped ingest at a few hundred per second. Each caller still learns the fate of its own
 * message, so the broker's PUBACK keeps meaning "on the queue": an entry is resolved only when the
 * sender reports it stored (SQS stores it before answering), and rejected otherwise.
 *
 * Two senders: `sdkBatchSender` speaks SendMessageBatch to any SQS endpoint (at most 10 entries and
 * 256 KiB per call, the API's limits); the local cloud hands the rules engine the SQS stand-in's
 * own `sendBatch`, which writes a batch in one durable write without a wire call (IoT Rules' action
 * is a managed call on AWS too, not a client of ours).
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Sends `bodies` to the queue; one outcome per body, in order: `undefined` once stored, or why not. */
export type SqsBatchSender = (queueUrl: string, bodies: readonly string[]) => Promise<readonly (Error | undefined)[]>;

export interface SqsBatchLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/** SendMessageBatch's limits: 10 entries and 256 KiB of bodies per call. */
export const sendMessageBatchLimits: SqsBatchLimits = { maxEntries: 10, maxBytes: 256 * 1024 };

/** A sender over the SQS API: an entry the answer lists under `Failed`, or nowhere, is not stored. */
export function sdkBatchSender(client: Pick<SQSClient, 'send'>): SqsBatchSender {
  return async (queueUrl, bodies) => {
    const out = await client.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body })) }),
    );
    const failed = new Map((out.Failed ?? []).map((f) => [f.Id, f]));
    const succeeded = new Set((out.Successful ?? []).map((s) => s.Id));
    return bodies.map((_, i) => {
      const failure = failed.get(String(i));
      if (failure) return new Error(`${failure.Code ?? 'SendMessageBatch entry failed'}: ${failure.Message ?? ''}`.trim());
      if (succeeded.has(String(i))) return undefined;
      return new Error(`SendMessageBatch answered neither Successful nor Failed for entry ${i}`);
    });
  };
}

interface Pending {
  readonly body: string;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export interface SqsBatcher {
  send(queueUrl: string, body: string): Promise<void>;
}

export function createSqsBatcher(sendBatch: SqsBatchSender, limits: SqsBatchLimits = sendMessageBatchLimits): SqsBatcher {
  const queues = new Map<string, { entries: Pending[]; bytes: number; scheduled: boolean }>();

  function flush(queueUrl: string): void {
    const queue = queues.get(queueUrl);
    if (!queue || queue.entries.length === 0) return;
    const entries = queue.entries;
    queues.delete(queueUrl);
    sendBatch(
      queueUrl,
      entries.map((e) => e.body),
    ).then(
      (outcomes) => {
        entries.forEach((entry, i) => {
          const outcome = i < outcomes.length ? outcomes[i] : new Error(`the sender gave no outcome for entry ${i}`);
          if (outcome === undefined) entry.resolve();
          else entry.reject(outcome);
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
        if (queue && queue.bytes + bytes > limits.maxBytes) {
          flush(queueUrl);
          queue = undefined;
        }
        if (!queue) {
          queue = { entries: [], bytes: 0, scheduled: false };
          queues.set(queueUrl, queue);
        }
        queue.entries.push({ body, resolve, reject });
        queue.bytes += bytes;
        if (queue.entries.length >= limits.maxEntries) return flush(queueUrl);
        if (!queue.scheduled) {
          queue.scheduled = true;
          // Whatever arrives in the same turn of the event loop travels together; no added delay.
          setImmediate(() => flush(queueUrl));
        }
      });
    },
  };
}
