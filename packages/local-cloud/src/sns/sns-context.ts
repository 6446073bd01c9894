/**
 * What the SNS operations share: the in-memory view of topics and subscriptions (loaded from the
 * store at start, changed only after the store took the change), the store, the delivery worker
 * and the names of things.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { DeliveryWorker } from './delivery-worker.ts';
import type { SnsMessageUrls } from './sns-messages.ts';
import { invalidParameter, notFound } from './sns-errors.ts';
import type { SnsStore, StoredSubscription, StoredTopic } from './sns-store.ts';

export interface SnsContext {
  readonly region: string;
  readonly accountId: string;
  readonly urls: SnsMessageUrls;
  readonly store: SnsStore;
  readonly worker: DeliveryWorker;
  /** By topic ARN. */
  readonly topics: Map<string, StoredTopic>;
  /** By subscription ARN. */
  readonly subscriptions: Map<string, StoredSubscription>;
  /** SubscriptionsDeleted of each topic since start (memory only). */
  readonly deletedCounts: Map<string, number>;
  /** Items per page of the List operations (SNS: 100). */
  readonly pageSize: number;
  readonly now: () => number;
}

export const topicArnOf = (context: SnsContext, name: string) => `arn:aws:sns:${context.region}:${context.accountId}:${name}`;

export function requireTopic(context: SnsContext, arn: string): StoredTopic {
  const topic = context.topics.get(arn);
  if (!topic) throw notFound('Topic');
  return topic;
}

export function requireSubscription(context: SnsContext, arn: string): StoredSubscription {
  const subscription = context.subscriptions.get(arn);
  if (!subscription) throw notFound('Subscription');
  return subscription;
}

export function subscriptionsOf(context: SnsContext, topicArn: string): StoredSubscription[] {
  return [...context.subscriptions.values()].filter((subscription) => subscription.topicArn === topicArn);
}

export const newMessageId = () => randomUUID();
/** Confirmation tokens are long random hex strings, as SNS's. */
export const newToken = () => randomBytes(64).toString('hex');
/** Time-ordered, so a store scan meets older deliveries first. */
export const newDeliveryId = (now: number) => `${now.toString(16).padStart(12, '0')}-${randomBytes(8).toString('hex')}`;

/** ListTopics / ListSubscriptions pages: NextToken is the offset, opaque to callers. */
export function page<T>(items: readonly T[], nextToken: string | undefined, size: number): { items: T[]; nextToken?: string } {
  const start = nextToken === undefined ? 0 : Number.parseInt(Buffer.from(nextToken, 'base64url').toString('utf8'), 10);
  if (!Number.isInteger(start) || start < 0) throw invalidParameter('NextToken');
  const slice = items.slice(start, start + size);
  const more = start + size < items.length;
  return { items: slice, ...(more ? { nextToken: Buffer.from(String(start + size)).toString('base64url') } : {}) };
}
