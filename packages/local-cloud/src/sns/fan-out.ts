/**
 * What one published message becomes: for each confirmed subscription of the topic whose filter
 * policy it passes, a pending delivery (HTTP/S, SQS) or a mailbox message (email, email-json),
 * all returned as one store change so the Publish is durable in one fsync'ed write.
 */
import { awsManagedRetryPolicy, effectiveHttpRetryPolicy } from './delivery-policy.ts';
import { attributesDocument, matchesFilterPolicy } from './filter-policy.ts';
import { newDeliveryId, subscriptionsOf, type SnsContext } from './sns-context.ts';
import { httpHeaders, notificationDocument, notificationEmail, type PublishedMessage } from './sns-messages.ts';
import type { MailboxMessage, PendingDelivery, StoredSubscription, StoredTopic } from './sns-store.ts';

/** A message as Publish received it: `byProtocol` when MessageStructure is `json` (its `default` is the message). */
export interface FanOutMessage extends PublishedMessage {
  readonly byProtocol?: Readonly<Record<string, string>>;
}

export function fanOut(
  context: SnsContext,
  topic: StoredTopic,
  published: FanOutMessage,
): { deliveries: PendingDelivery[]; mail: MailboxMessage[] } {
  const deliveries: PendingDelivery[] = [];
  const mail: MailboxMessage[] = [];
  const now = context.now();
  for (const subscription of subscriptionsOf(context, topic.arn)) {
    if (!subscription.confirmed) continue;
    const message = published.byProtocol?.[subscription.protocol] ?? published.message;
    const forSubscription: PublishedMessage = { ...published, message };
    if (!passesFilter(subscription, forSubscription)) continue;
    const raw = subscription.attributes.RawMessageDelivery === 'true';
    const document = () => JSON.stringify(notificationDocument(topic, subscription, forSubscription, context.urls));
    switch (subscription.protocol) {
      case 'http':
      case 'https':
        deliveries.push({
          id: newDeliveryId(now),
          subscriptionArn: subscription.arn,
          target: {
            kind: 'http',
            url: subscription.endpoint,
            headers: httpHeaders('Notification', published.messageId, topic.arn, subscription, raw),
            body: raw ? message : document(),
          },
          policy: effectiveHttpRetryPolicy(topic.attributes.DeliveryPolicy, subscription.attributes.DeliveryPolicy),
          attempts: 0,
        });
        break;
      case 'sqs':
        deliveries.push({
          id: newDeliveryId(now),
          subscriptionArn: subscription.arn,
          target: { kind: 'sqs', queueArn: subscription.endpoint, body: raw ? message : document() },
          policy: awsManagedRetryPolicy,
          attempts: 0,
        });
        break;
      case 'email':
      case 'email-json': {
        const email = notificationEmail(topic, subscription, forSubscription, context.urls.endpointUrl);
        mail.push({
          id: `${published.messageId}-${subscription.id}`,
          to: subscription.endpoint,
          subject: email.subject,
          body: subscription.protocol === 'email' ? email.body : document(),
          receivedAt: new Date(now).toISOString(),
          topicArn: topic.arn,
          kind: 'notification',
        });
        break;
      }
    }
  }
  return { deliveries, mail };
}

function passesFilter(subscription: StoredSubscription, published: PublishedMessage): boolean {
  const policyText = subscription.attributes.FilterPolicy;
  if (policyText === undefined || policyText === '') return true;
  const policy = JSON.parse(policyText) as Record<string, unknown>;
  if (subscription.attributes.FilterPolicyScope === 'MessageBody') {
    let body: unknown;
    try {
      body = JSON.parse(published.message);
    } catch {
      return false;
    }
    return matchesFilterPolicy(policy, body);
  }
  return matchesFilterPolicy(policy, attributesDocument(published.attributes));
}
