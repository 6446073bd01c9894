/**
 * The messages SNS sends to endpoints, in AWS's shapes: the signed JSON documents
 * (Notification, SubscriptionConfirmation) of HTTP/S, e-mail-json and SQS deliveries, the HTTP
 * headers SNS sets ("Parsing message formats" in the SNS Developer Guide), and the plain e-mails.
 */
import type { KeyObject } from 'node:crypto';
import { signMessage, type SignableMessage } from './message-signature.ts';
import type { MessageAttributeValue } from './query-input.ts';
import type { StoredSubscription, StoredTopic } from './sns-store.ts';

export interface SnsMessageUrls {
  /** Base URL of the local AWS port, e.g. `http://127.0.0.1:4566`. */
  readonly endpointUrl: string;
  readonly privateKey: KeyObject;
}

/** Where the signing certificate is served on the AWS port. */
export const signingCertificatePath = '/_fleet/sns/SimpleNotificationService.pem';

export const subscribeUrl = (endpointUrl: string, topicArn: string, token: string) =>
  `${endpointUrl}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${encodeURIComponent(token)}`;

export const unsubscribeUrl = (endpointUrl: string, subscriptionArn: string) =>
  `${endpointUrl}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscriptionArn)}`;

export interface PublishedMessage {
  readonly messageId: string;
  readonly message: string;
  readonly subject?: string;
  readonly attributes: Readonly<Record<string, MessageAttributeValue>>;
  /** ISO 8601 with milliseconds, as SNS writes it. */
  readonly timestamp: string;
}

/** A signed JSON document, its fields in the order SNS writes them. */
export type SnsDocument = Readonly<Record<string, unknown>>;

function signatureFields(topic: StoredTopic, signable: SignableMessage, urls: SnsMessageUrls) {
  const version = topic.attributes.SignatureVersion === '2' ? '2' : '1';
  return {
    SignatureVersion: version,
    Signature: signMessage(signable, version, urls.privateKey),
    SigningCertURL: `${urls.endpointUrl}${signingCertificatePath}`,
  };
}

export function notificationDocument(
  topic: StoredTopic,
  subscription: StoredSubscription,
  published: PublishedMessage,
  urls: SnsMessageUrls,
): SnsDocument {
  const signable: SignableMessage = {
    Type: 'Notification',
    MessageId: published.messageId,
    TopicArn: topic.arn,
    ...(published.subject !== undefined ? { Subject: published.subject } : {}),
    Message: published.message,
    Timestamp: published.timestamp,
  };
  const attributes = Object.entries(published.attributes);
  return {
    ...signable,
    ...signatureFields(topic, signable, urls),
    UnsubscribeURL: unsubscribeUrl(urls.endpointUrl, subscription.arn),
    ...(attributes.length > 0
      ? {
          MessageAttributes: Object.fromEntries(
            attributes.map(([name, value]) => [name, { Type: value.DataType, Value: value.StringValue ?? value.BinaryValue ?? '' }]),
          ),
        }
      : {}),
  };
}

export function confirmationDocument(
  topic: StoredTopic,
  token: string,
  messageId: string,
  timestamp: string,
  urls: SnsMessageUrls,
): SnsDocument {
  const signable: SignableMessage = {
    Type: 'SubscriptionConfirmation',
    MessageId: messageId,
    Token: token,
    TopicArn: topic.arn,
    Message: `You have chosen to subscribe to the topic ${topic.arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: subscribeUrl(urls.endpointUrl, topic.arn, token),
    Timestamp: timestamp,
  };
  return { ...signable, ...signatureFields(topic, signable, urls) };
}

/** The headers of an HTTP/S delivery. The subscription ARN header is sent once there is a subscription to name. */
export function httpHeaders(
  type: SignableMessage['Type'],
  messageId: string,
  topicArn: string,
  subscription: StoredSubscription | undefined,
  raw: boolean,
): Record<string, string> {
  return {
    'content-type': 'text/plain; charset=UTF-8',
    'user-agent': 'Amazon Simple Notification Service Agent',
    'x-amz-sns-message-type': type,
    'x-amz-sns-message-id': messageId,
    'x-amz-sns-topic-arn': topicArn,
    ...(subscription && type !== 'SubscriptionConfirmation' ? { 'x-amz-sns-subscription-arn': subscription.arn } : {}),
    ...(raw ? { 'x-amz-sns-rawdelivery': 'true' } : {}),
  };
}

const defaultEmailSubject = 'AWS Notification Message';

/** A plain `email` notification: the message with SNS's unsubscribe footer. */
export function notificationEmail(topic: StoredTopic, subscription: StoredSubscription, published: PublishedMessage, endpointUrl: string) {
  return {
    subject: published.subject ?? (topic.attributes.DisplayName || defaultEmailSubject),
    body:
      `${published.message}\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n` +
      `${unsubscribeUrl(endpointUrl, subscription.arn)}\n`,
  };
}

export function confirmationEmail(topic: StoredTopic, token: string, endpointUrl: string) {
  return {
    subject: 'AWS Notification - Subscription Confirmation',
    body:
      `You have chosen to subscribe to the topic:\n${topic.arn}\n\n` +
      `To confirm this subscription, click or visit the link below (If this was in error no action is necessary):\n` +
      `Confirm subscription: ${subscribeUrl(endpointUrl, topic.arn, token)}\n`,
  };
}
