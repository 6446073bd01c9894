/**
 * Durable storage of the SNS stand-in: LevelDB (classic-level) with group-committed `sync: true`
 * batches (durable-files/level-group-commit.ts), as the SQS stand-in does. A Publish writes the
 * pending deliveries it fans out to (and the e-mails it puts in the local mailbox) in one fsync'ed
 * batch before it answers, so a `kill -9` right after the answer loses no delivery: the next start
 * loads them and delivers them (at least once: a delivery whose success was not yet recorded is
 * sent again).
 *
 * Key layout (`!` cannot appear in topic names nor in the generated ids):
 *   t!<topic name>              → StoredTopic
 *   s!<subscription id>         → StoredSubscription
 *   d!<delivery id>             → PendingDelivery (deleted once delivered or given up)
 *   m!<received ms, hex>!<id>   → MailboxMessage (newest last, read backwards)
 */
import { ClassicLevel } from 'classic-level';
import { createGroupCommitWriter, type LevelOp } from '../durable-files/level-group-commit.ts';
import type { RetryPolicy } from './delivery-policy.ts';

export interface StoredTopic {
  readonly name: string;
  readonly arn: string;
  /** The settable attributes (DisplayName, Policy, DeliveryPolicy, SignatureVersion, ...), as SNS strings. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
}

export interface StoredSubscription {
  /** The last segment of the ARN. */
  readonly id: string;
  readonly arn: string;
  readonly topicArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly owner: string;
  readonly confirmed: boolean;
  /** The confirmation token sent to the endpoint, until confirmed. */
  readonly token?: string;
  readonly confirmationWasAuthenticated: boolean;
  /** Settable attributes (RawMessageDelivery, FilterPolicy, FilterPolicyScope, DeliveryPolicy, RedrivePolicy). */
  readonly attributes: Readonly<Record<string, string>>;
}

/** One message on its way to one endpoint, kept until it is delivered or its retries run out. */
export interface PendingDelivery {
  readonly id: string;
  readonly subscriptionArn: string;
  readonly target:
    | { readonly kind: 'http'; readonly url: string; readonly headers: Readonly<Record<string, string>>; readonly body: string }
    | { readonly kind: 'sqs'; readonly queueArn: string; readonly body: string };
  readonly policy: RetryPolicy;
  /** Attempts made so far (not fsync'ed alone: after a crash a delivery may get a few more tries). */
  readonly attempts: number;
}

export interface MailboxMessage {
  readonly id: string;
  /** The subscribed e-mail address. */
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  /** ISO 8601. */
  readonly receivedAt: string;
  readonly topicArn: string;
  /** `notification` or `subscription-confirmation`. */
  readonly kind: string;
}

/** One atomic write: everything in it is stored, or nothing. */
export interface StoreChanges {
  readonly topics?: readonly StoredTopic[];
  readonly deletedTopics?: readonly string[];
  readonly subscriptions?: readonly StoredSubscription[];
  readonly deletedSubscriptions?: readonly string[];
  readonly deliveries?: readonly PendingDelivery[];
  readonly deletedDeliveries?: readonly string[];
  readonly mail?: readonly MailboxMessage[];
}

export interface SnsStore {
  load(): Promise<{ topics: StoredTopic[]; subscriptions: StoredSubscription[]; deliveries: PendingDelivery[] }>;
  /** Resolves once written, and fsync'ed when `durable`. */
  commit(changes: StoreChanges, durable: boolean): Promise<void>;
  /** Mailbox messages, newest first. */
  mailbox(filter: { to?: string; limit: number }): Promise<MailboxMessage[]>;
  close(): Promise<void>;
}

const topicKey = (name: string) => `t!${name}`;
const subscriptionKey = (id: string) => `s!${id}`;
const deliveryKey = (id: string) => `d!${id}`;
const mailKey = (message: MailboxMessage) => `m!${Date.parse(message.receivedAt).toString(16).padStart(12, '0')}!${message.id}`;

export async function openSnsStore(location: string): Promise<SnsStore> {
  const db = new ClassicLevel<string, string>(location, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
  try {
    await db.open();
  } catch (err) {
    throw new Error(`Cannot open the SNS store at ${location}; is another local cloud using this data folder?`, { cause: err });
  }
  const writer = createGroupCommitWriter(db);

  async function values<T>(prefix: string): Promise<T[]> {
    const found: T[] = [];
    for await (const value of db.values({ gte: `${prefix}!`, lt: `${prefix}"` })) found.push(JSON.parse(value) as T);
    return found;
  }

  return {
    async load() {
      return {
        topics: await values<StoredTopic>('t'),
        subscriptions: await values<StoredSubscription>('s'),
        deliveries: await values<PendingDelivery>('d'),
      };
    },

    commit(changes, durable) {
      const put = (key: string, value: unknown): LevelOp => ({ type: 'put', key, value: JSON.stringify(value) });
      const del = (key: string): LevelOp => ({ type: 'del', key });
      const ops: LevelOp[] = [
        ...(changes.topics ?? []).map((topic) => put(topicKey(topic.name), topic)),
        ...(changes.deletedTopics ?? []).map((name) => del(topicKey(name))),
        ...(changes.subscriptions ?? []).map((subscription) => put(subscriptionKey(subscription.id), subscription)),
        ...(changes.deletedSubscriptions ?? []).map((id) => del(subscriptionKey(id))),
        ...(changes.deliveries ?? []).map((delivery) => put(deliveryKey(delivery.id), delivery)),
        ...(changes.deletedDeliveries ?? []).map((id) => del(deliveryKey(id))),
        ...(changes.mail ?? []).map((message) => put(mailKey(message), message)),
      ];
      return ops.length === 0 ? Promise.resolve() : writer.write(ops, durable);
    },

    async mailbox({ to, limit }) {
      const found: MailboxMessage[] = [];
      for await (const value of db.values({ gte: 'm!', lt: 'm"', reverse: true })) {
        const message = JSON.parse(value) as MailboxMessage;
        if (to !== undefined && message.to.toLowerCase() !== to.toLowerCase()) continue;
        found.push(message);
        if (found.length >= limit) break;
      }
      return found;
    },

    async close() {
      await writer.drain();
      await db.close();
    },
  };
}
