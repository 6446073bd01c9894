/**
 * Durable storage of the SQS stand-in.
 *
 * Why LevelDB (classic-level, already installed for dynalite) with synchronous batches:
 * - an acknowledged SendMessage/DeleteMessage must survive `kill -9` and a power cut, so the write
 *   is fsync'ed (`sync: true`) before the answer goes out;
 * - fsync per request would cap us at a few hundred requests/s, so writes are group-committed:
 *   every operation arriving while one fsync is in flight joins the next batch, one fsync for all
 *   (thousands of messages/s on this box with concurrent senders);
 * - message bodies stay on disk (LevelDB's cache and compaction do the work an append-only journal
 *   would need by hand); memory holds only a small index entry per message;
 * - a purge or queue deletion switches the queue's "incarnation" in one write, so stale messages
 *   never come back even if the range deletion of the old incarnation is cut short by a crash.
 *
 * Key layout (`!` cannot appear in queue names):
 *   q!<queue>                       → StoredQueue
 *   m!<queue>!<incarnation>!<seq>   → StoredMessage (immutable once written)
 *   r!<queue>!<incarnation>!<seq>   → ReceiveState (rewritten on each receive; not fsync'ed alone)
 */
import { ClassicLevel } from 'classic-level';
import { createGroupCommitWriter, type LevelOp as Op } from '../durable-files/level-group-commit.ts';
import type { MessageAttributeValue } from './sqs-md5.ts';

export interface StoredQueue {
  readonly name: string;
  readonly incarnation: string;
  /** Configurable attributes only (VisibilityTimeout, RedrivePolicy, ...), as AWS strings. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Epoch seconds, as SQS reports them. */
  readonly createdTimestamp: number;
  readonly lastModifiedTimestamp: number;
}

export interface StoredMessage {
  readonly id: string;
  readonly body: string;
  readonly md5Body: string;
  readonly attributes?: Readonly<Record<string, MessageAttributeValue>>;
  readonly md5Attributes?: string;
  /** Epoch ms. */
  readonly sentTimestamp: number;
  /** Epoch ms before which the message is delayed (DelaySeconds). */
  readonly delayedUntil?: number;
  /** In a dead-letter queue: the queue it was moved from (`DeadLetterQueueSourceArn`). */
  readonly deadLetterSource?: string;
}

export interface ReceiveState {
  readonly count: number;
  /** Epoch ms of the first receive. */
  readonly first: number;
}

const seqWidth = 16;
export const seqKey = (seq: number) => seq.toString(16).padStart(seqWidth, '0');
export const messageKey = (queue: string, incarnation: string, seq: number) => `m!${queue}!${incarnation}!${seqKey(seq)}`;
export const receiveKey = (queue: string, incarnation: string, seq: number) => `r!${queue}!${incarnation}!${seqKey(seq)}`;
const queueKey = (queue: string) => `q!${queue}`;

export interface LoadedMessage {
  readonly queue: string;
  readonly seq: number;
  readonly message: StoredMessage;
  receive?: ReceiveState;
}

export interface SqsStore {
  /** Every queue and every live message, read once at start. Stale incarnations are cleared. */
  load(): Promise<{ queues: StoredQueue[]; messages: LoadedMessage[] }>;
  putQueue(queue: StoredQueue): Promise<void>;
  deleteQueue(queue: StoredQueue): Promise<void>;
  /** Forgets every message of an old incarnation (after a purge or a delete), in the background. */
  clearIncarnation(queue: string, incarnation: string): Promise<void>;
  /** Durable once resolved. */
  putMessages(queue: StoredQueue, entries: readonly { seq: number; message: StoredMessage }[]): Promise<void>;
  /** Durable once resolved. */
  deleteMessages(queue: StoredQueue, seqs: readonly number[]): Promise<void>;
  /** Not awaited by callers: a lost receive count only makes a redrive one receive later. */
  putReceiveState(queue: StoredQueue, seq: number, state: ReceiveState): Promise<void>;
  /** Moves a message between queues in one atomic batch (redrive to the dead-letter queue). */
  moveMessage(from: StoredQueue, fromSeq: number, to: StoredQueue, toSeq: number, message: StoredMessage): Promise<void>;
  getMessages(queue: StoredQueue, seqs: readonly number[]): Promise<(StoredMessage | undefined)[]>;
  close(): Promise<void>;
}

export async function openSqsStore(location: string): Promise<SqsStore> {
  const db = new ClassicLevel<string, string>(location, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
  try {
    await db.open();
  } catch (err) {
    throw new Error(`Cannot open the SQS store at ${location}; is another local cloud using this data folder?`, { cause: err });
  }
  const writer = createGroupCommitWriter(db);
  async function clearIncarnation(queue: string, incarnation: string): Promise<void> {
    await db.clear({ gte: `m!${queue}!${incarnation}!`, lt: `m!${queue}!${incarnation}"` });
    await db.clear({ gte: `r!${queue}!${incarnation}!`, lt: `r!${queue}!${incarnation}"` });
  }

  return {
    async load() {
      const queues = new Map<string, StoredQueue>();
      for await (const [, value] of db.iterator({ gte: 'q!', lt: 'q"' })) {
        const queue = JSON.parse(value) as StoredQueue;
        queues.set(queue.name, queue);
      }
      const messages = new Map<string, LoadedMessage>();
      const stale = new Set<string>();
      for await (const [key, value] of db.iterator({ gte: 'm!', lt: 'm"' })) {
        const [, name = '', incarnation = '', seqText = ''] = key.split('!');
        if (queues.get(name)?.incarnation !== incarnation) {
          stale.add(`${name}!${incarnation}`);
          continue;
        }
        messages.set(`${name}!${seqText}`, { queue: name, seq: parseInt(seqText, 16), message: JSON.parse(value) as StoredMessage });
      }
      const orphanReceives: Op[] = [];
      for await (const [key, value] of db.iterator({ gte: 'r!', lt: 'r"' })) {
        const [, name = '', incarnation = '', seqText = ''] = key.split('!');
        const loaded = queues.get(name)?.incarnation === incarnation ? messages.get(`${name}!${seqText}`) : undefined;
        if (loaded) loaded.receive = JSON.parse(value) as ReceiveState;
        else orphanReceives.push({ type: 'del', key });
      }
      if (orphanReceives.length > 0) await db.batch(orphanReceives);
      for (const entry of stale) {
        const [name = '', incarnation = ''] = entry.split('!');
        await clearIncarnation(name, incarnation);
      }
      return { queues: [...queues.values()], messages: [...messages.values()] };
    },

    putQueue: (queue) => writer.write([{ type: 'put', key: queueKey(queue.name), value: JSON.stringify(queue) }], true),

    deleteQueue: (queue) => writer.write([{ type: 'del', key: queueKey(queue.name) }], true),

    clearIncarnation,

    putMessages: (queue, entries) =>
      writer.write(
        entries.map(({ seq, message }) => ({
          type: 'put',
          key: messageKey(queue.name, queue.incarnation, seq),
          value: JSON.stringify(message),
        })),
        true,
      ),

    deleteMessages: (queue, seqs) =>
      writer.write(
        seqs.flatMap((seq): Op[] => [
          { type: 'del', key: messageKey(queue.name, queue.incarnation, seq) },
          { type: 'del', key: receiveKey(queue.name, queue.incarnation, seq) },
        ]),
        true,
      ),

    putReceiveState: (queue, seq, state) =>
      writer.write([{ type: 'put', key: receiveKey(queue.name, queue.incarnation, seq), value: JSON.stringify(state) }], false),

    moveMessage: (from, fromSeq, to, toSeq, message) =>
      writer.write(
        [
          { type: 'put', key: messageKey(to.name, to.incarnation, toSeq), value: JSON.stringify(message) },
          { type: 'del', key: messageKey(from.name, from.incarnation, fromSeq) },
          { type: 'del', key: receiveKey(from.name, from.incarnation, fromSeq) },
        ],
        true,
      ),

    async getMessages(queue, seqs) {
      if (seqs.length === 0) return [];
      const values = await db.getMany(seqs.map((seq) => messageKey(queue.name, queue.incarnation, seq)));
      return values.map((value) => (value === undefined ? undefined : (JSON.parse(value) as StoredMessage)));
    },

    async close() {
      await writer.drain();
      await db.close();
    },
  };
}
