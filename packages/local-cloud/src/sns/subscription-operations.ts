/**
 * Subscription operations of the SNS API Reference. `http`, `https`, `email` and `email-json`
 * subscriptions start pending: SNS sends the endpoint a SubscriptionConfirmation (an HTTP POST, or
 * an e-mail into the local mailbox) whose SubscribeURL, or a ConfirmSubscription call with its
 * token, confirms it. `sqs` subscriptions (same account) are confirmed at once. Other protocols
 * (lambda, firehose, sms, application) are refused with InvalidParameter.
 */
import { randomUUID } from 'node:crypto';
import { effectiveHttpRetryPolicy, validateSubscriptionDeliveryPolicy } from './delivery-policy.ts';
import { parseFilterPolicy } from './filter-policy.ts';
import { optionalBoolean, optionalString, requiredString, stringMap } from './query-input.ts';
import { XmlMap } from './query-response.ts';
import {
  newDeliveryId,
  newMessageId,
  newToken,
  page,
  requireSubscription,
  requireTopic,
  subscriptionsOf,
  type SnsContext,
} from './sns-context.ts';
import { invalidParameter } from './sns-errors.ts';
import { confirmationDocument, confirmationEmail, httpHeaders } from './sns-messages.ts';
import type { SnsOperation } from './sns-operation.ts';
import type { StoreChanges, StoredSubscription, StoredTopic } from './sns-store.ts';

export const supportedProtocols: ReadonlySet<string> = new Set(['http', 'https', 'email', 'email-json', 'sqs']);
const settableSubscriptionAttributes: ReadonlySet<string> = new Set([
  'RawMessageDelivery',
  'FilterPolicy',
  'FilterPolicyScope',
  'DeliveryPolicy',
  'RedrivePolicy',
]);
const emailPattern = /^[^@\s]+@[^@\s]+$/;
const sqsArnPattern = /^arn:aws:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/;
/** What Subscribe and the List operations write where a pending subscription's ARN would be. */
const pendingArn = 'pending confirmation';

export function subscriptionOperations(context: SnsContext): Record<string, SnsOperation> {
  return {
    async Subscribe(params) {
      const topic = requireTopic(context, requiredString(params, 'TopicArn'));
      const protocol = requiredString(params, 'Protocol');
      if (!supportedProtocols.has(protocol)) {
        throw invalidParameter('Protocol', `the local cloud delivers to ${[...supportedProtocols].join(', ')}; received "${protocol}"`);
      }
      const endpoint = requiredString(params, 'Endpoint');
      validateEndpoint(protocol, endpoint);
      const attributes = stringMap(params, 'Attributes');
      for (const [name, value] of Object.entries(attributes)) validateSubscriptionAttribute(protocol, name, value);
      const returnArn = optionalBoolean(params, 'ReturnSubscriptionArn') ?? false;

      const existing = subscriptionsOf(context, topic.arn).find((s) => s.protocol === protocol && s.endpoint === endpoint);
      if (existing) {
        if (Object.entries(attributes).some(([name, value]) => existing.attributes[name] !== value)) {
          throw invalidParameter('Attributes', 'Subscription already exists with different attributes');
        }
        if (!existing.confirmed) {
          // SNS sends a pending subscription's confirmation again when it is asked for again.
          const resent = confirmationChanges(context, topic, existing);
          await context.store.commit(resent, true);
          context.worker.schedule(resent.deliveries ?? []);
        }
        return { SubscriptionArn: existing.confirmed || returnArn ? existing.arn : pendingArn };
      }
      const id = randomUUID();
      const confirmedAtOnce = protocol === 'sqs';
      const subscription: StoredSubscription = {
        id,
        arn: `${topic.arn}:${id}`,
        topicArn: topic.arn,
        protocol,
        endpoint,
        owner: context.accountId,
        confirmed: confirmedAtOnce,
        ...(confirmedAtOnce ? {} : { token: newToken() }),
        confirmationWasAuthenticated: confirmedAtOnce,
        attributes,
      };
      const changes = confirmationChanges(context, topic, subscription);
      await context.store.commit({ ...changes, subscriptions: [subscription] }, true);
      context.subscriptions.set(subscription.arn, subscription);
      context.worker.schedule(changes.deliveries ?? []);
      return { SubscriptionArn: confirmedAtOnce || returnArn ? subscription.arn : pendingArn };
    },

    async ConfirmSubscription(params, caller) {
      const topic = requireTopic(context, requiredString(params, 'TopicArn'));
      const token = requiredString(params, 'Token');
      const subscription = subscriptionsOf(context, topic.arn).find((s) => s.token === token);
      if (!subscription) throw invalidParameter('Token', 'Invalid token');
      if (!subscription.confirmed) {
        // The token stays valid: visiting the SubscribeURL again answers the same ARN.
        const confirmed: StoredSubscription = { ...subscription, confirmed: true, confirmationWasAuthenticated: caller.signed };
        await context.store.commit({ subscriptions: [confirmed] }, true);
        context.subscriptions.set(confirmed.arn, confirmed);
      }
      return { SubscriptionArn: subscription.arn };
    },

    async Unsubscribe(params) {
      const arn = requiredString(params, 'SubscriptionArn');
      const subscription = requireSubscription(context, arn);
      await context.store.commit({ deletedSubscriptions: [subscription.id] }, true);
      context.subscriptions.delete(arn);
      context.deletedCounts.set(subscription.topicArn, (context.deletedCounts.get(subscription.topicArn) ?? 0) + 1);
      return undefined;
    },

    async ListSubscriptions(params) {
      const { items, nextToken } = page([...context.subscriptions.values()], optionalString(params, 'NextToken'), context.pageSize);
      return { Subscriptions: items.map(listed), NextToken: nextToken };
    },

    async ListSubscriptionsByTopic(params) {
      const topic = requireTopic(context, requiredString(params, 'TopicArn'));
      const { items, nextToken } = page(subscriptionsOf(context, topic.arn), optionalString(params, 'NextToken'), context.pageSize);
      return { Subscriptions: items.map(listed), NextToken: nextToken };
    },

    async GetSubscriptionAttributes(params) {
      const subscription = requireSubscription(context, requiredString(params, 'SubscriptionArn'));
      const topic = context.topics.get(subscription.topicArn);
      const http = subscription.protocol === 'http' || subscription.protocol === 'https';
      const attributes: Record<string, string> = {
        SubscriptionArn: subscription.arn,
        TopicArn: subscription.topicArn,
        Owner: subscription.owner,
        Protocol: subscription.protocol,
        Endpoint: subscription.endpoint,
        PendingConfirmation: String(!subscription.confirmed),
        ConfirmationWasAuthenticated: String(subscription.confirmationWasAuthenticated),
        RawMessageDelivery: 'false',
        ...(http
          ? {
              EffectiveDeliveryPolicy: JSON.stringify({
                healthyRetryPolicy: effectiveHttpRetryPolicy(topic?.attributes.DeliveryPolicy, subscription.attributes.DeliveryPolicy),
              }),
            }
          : {}),
        ...(subscription.attributes.FilterPolicy !== undefined ? { FilterPolicyScope: 'MessageAttributes' } : {}),
        ...subscription.attributes,
      };
      return { Attributes: new XmlMap(attributes) };
    },

    async SetSubscriptionAttributes(params) {
      const subscription = requireSubscription(context, requiredString(params, 'SubscriptionArn'));
      const name = requiredString(params, 'AttributeName');
      const value = optionalString(params, 'AttributeValue') ?? '';
      validateSubscriptionAttribute(subscription.protocol, name, value);
      const attributes = { ...subscription.attributes, [name]: value };
      // An empty FilterPolicy removes the policy, as on AWS.
      if (name === 'FilterPolicy' && value === '') delete attributes.FilterPolicy;
      const updated: StoredSubscription = { ...subscription, attributes };
      await context.store.commit({ subscriptions: [updated] }, true);
      context.subscriptions.set(updated.arn, updated);
      return undefined;
    },
  };
}

const listed = (subscription: StoredSubscription) => ({
  SubscriptionArn: subscription.confirmed ? subscription.arn : 'PendingConfirmation',
  Owner: subscription.owner,
  Protocol: subscription.protocol,
  Endpoint: subscription.endpoint,
  TopicArn: subscription.topicArn,
});

/** The SubscriptionConfirmation a new pending subscription sends: an HTTP delivery or an e-mail. */
function confirmationChanges(context: SnsContext, topic: StoredTopic, subscription: StoredSubscription): StoreChanges {
  const { token } = subscription;
  if (token === undefined) return {};
  const now = context.now();
  const messageId = newMessageId();
  const timestamp = new Date(now).toISOString();
  switch (subscription.protocol) {
    case 'http':
    case 'https': {
      const document = confirmationDocument(topic, token, messageId, timestamp, context.urls);
      return {
        deliveries: [
          {
            id: newDeliveryId(now),
            subscriptionArn: subscription.arn,
            target: {
              kind: 'http',
              url: subscription.endpoint,
              headers: httpHeaders('SubscriptionConfirmation', messageId, topic.arn, subscription, false),
              body: JSON.stringify(document),
            },
            policy: effectiveHttpRetryPolicy(topic.attributes.DeliveryPolicy, subscription.attributes.DeliveryPolicy),
            attempts: 0,
          },
        ],
      };
    }
    case 'email':
    case 'email-json': {
      const email =
        subscription.protocol === 'email'
          ? confirmationEmail(topic, token, context.urls.endpointUrl)
          : {
              subject: 'AWS Notification - Subscription Confirmation',
              body: JSON.stringify(confirmationDocument(topic, token, messageId, timestamp, context.urls)),
            };
      return {
        mail: [
          {
            id: messageId,
            to: subscription.endpoint,
            ...email,
            receivedAt: timestamp,
            topicArn: topic.arn,
            kind: 'subscription-confirmation',
          },
        ],
      };
    }
    default:
      return {};
  }
}

function validateEndpoint(protocol: string, endpoint: string): void {
  switch (protocol) {
    case 'http':
    case 'https': {
      let url: URL;
      try {
        url = new URL(endpoint);
      } catch {
        throw invalidParameter('Endpoint', `not a URL: "${endpoint}"`);
      }
      if (url.protocol !== `${protocol}:`) throw invalidParameter('Endpoint', `must be an ${protocol}:// URL for protocol ${protocol}`);
      return;
    }
    case 'email':
    case 'email-json':
      if (!emailPattern.test(endpoint)) throw invalidParameter('Endpoint', `not an e-mail address: "${endpoint}"`);
      return;
    case 'sqs':
      if (!sqsArnPattern.test(endpoint)) throw invalidParameter('SQS endpoint ARN');
      return;
  }
}

function validateSubscriptionAttribute(protocol: string, name: string, value: string): void {
  if (!settableSubscriptionAttributes.has(name))
    throw invalidParameter('AttributeName', `${name} is not a settable subscription attribute`);
  switch (name) {
    case 'RawMessageDelivery':
      if (value !== 'true' && value !== 'false') throw invalidParameter('RawMessageDelivery', 'must be true or false');
      if (protocol === 'email' || protocol === 'email-json') {
        throw invalidParameter('Attributes', 'Delivery protocol [email] does not support raw message delivery.');
      }
      return;
    case 'FilterPolicy':
      if (value !== '') parseFilterPolicy(value);
      return;
    case 'FilterPolicyScope':
      if (value !== 'MessageAttributes' && value !== 'MessageBody') {
        throw invalidParameter('FilterPolicyScope', `must be MessageAttributes or MessageBody; received "${value}"`);
      }
      return;
    case 'DeliveryPolicy':
      if (protocol !== 'http' && protocol !== 'https')
        throw invalidParameter('DeliveryPolicy', 'only HTTP/S subscriptions have a delivery policy');
      validateSubscriptionDeliveryPolicy(value);
      return;
    case 'RedrivePolicy':
      try {
        JSON.parse(value);
      } catch {
        throw invalidParameter('RedrivePolicy', 'not valid JSON');
      }
      return;
  }
}
