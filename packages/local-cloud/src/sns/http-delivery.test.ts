/**
 * HTTP/S subscriptions end to end through @aws-sdk/client-sns and a real HTTP endpoint on
 * 127.0.0.1: the SubscriptionConfirmation, confirmation by visiting SubscribeURL (unsigned, as
 * AWS serves it), Notifications in AWS's shape and headers whose signature verifies with the
 * certificate at SigningCertURL, retries after 5xx answers, raw delivery and filter policies.
 *
 * The verifier below is written from "Verifying the signatures of Amazon SNS messages" (SNS
 * Developer Guide) with node:crypto only, independent of the stand-in's signing code.
 */
import { createVerify, X509Certificate } from 'node:crypto';
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSnsHarness, type SnsHarness } from './sns-test-harness.ts';
import { startTestSubscriber, type TestSubscriber } from './test-subscriber.ts';

type SnsDocument = Record<string, unknown> &
  Partial<
    Record<
      | 'Type'
      | 'Signature'
      | 'SignatureVersion'
      | 'SigningCertURL'
      | 'SubscribeURL'
      | 'UnsubscribeURL'
      | 'Token'
      | 'MessageId'
      | 'Message'
      | 'Subject',
      string
    >
  >;

async function verifySnsSignature(message: SnsDocument): Promise<boolean> {
  const fields =
    message.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const canonical = fields
    .filter((name) => message[name] !== undefined)
    .map((name) => `${name}\n${String(message[name])}\n`)
    .join('');
  const certificate = new X509Certificate(await (await fetch(message.SigningCertURL ?? '')).text());
  const verifier = createVerify(message.SignatureVersion === '2' ? 'RSA-SHA256' : 'RSA-SHA1');
  verifier.update(canonical, 'utf8');
  return verifier.verify(certificate.publicKey, message.Signature ?? '', 'base64');
}

describe('SNS HTTP deliveries', () => {
  let harness: SnsHarness;
  let subscriber: TestSubscriber;
  beforeAll(async () => {
    harness = await startSnsHarness();
  });
  afterAll(() => harness.close());
  afterEach(() => subscriber?.close());

  async function confirmedSubscription(topicName: string, attributes?: Record<string, string>) {
    subscriber = await startTestSubscriber();
    const { TopicArn } = await harness.sns.send(new CreateTopicCommand({ Name: topicName }));
    const subscribed = await harness.sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: subscriber.url, ...(attributes ? { Attributes: attributes } : {}) }),
    );
    expect(subscribed.SubscriptionArn).toBe('pending confirmation');
    const [confirmation] = await subscriber.waitFor(1);
    const document = JSON.parse(confirmation!.body) as SnsDocument;
    const visit = await fetch(document.SubscribeURL ?? '');
    expect(visit.status).toBe(200);
    const { Subscriptions } = await harness.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    const SubscriptionArn = Subscriptions?.[0]?.SubscriptionArn ?? '';
    return { TopicArn: TopicArn!, SubscriptionArn, confirmation: confirmation!, document };
  }

  it('POSTs a signed SubscriptionConfirmation; visiting SubscribeURL without credentials confirms the subscription', async () => {
    const { TopicArn, SubscriptionArn, confirmation, document } = await confirmedSubscription('confirm-me');
    expect(confirmation.headers).toMatchObject({
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'SubscriptionConfirmation',
      'x-amz-sns-message-id': document.MessageId,
      'x-amz-sns-topic-arn': TopicArn,
    });
    expect(document).toMatchObject({ Type: 'SubscriptionConfirmation', TopicArn, SignatureVersion: '1' });
    expect(document.Token).toMatch(/^[0-9a-f]{64,}$/);
    expect(document.SubscribeURL).toBe(
      `${harness.endpointUrl}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TopicArn)}&Token=${document.Token}`,
    );
    expect(await verifySnsSignature(document)).toBe(true);
    expect(SubscriptionArn).toMatch(new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`));
    const { Attributes } = await harness.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
    expect(Attributes).toMatchObject({ PendingConfirmation: 'false', Protocol: 'http', Endpoint: subscriber.url });
  });

  it('delivers a Notification in AWS shape whose SHA1withRSA signature verifies, with the SNS headers', async () => {
    const { TopicArn, SubscriptionArn } = await confirmedSubscription('notify-me');
    const { MessageId } = await harness.sns.send(
      new PublishCommand({
        TopicArn,
        Subject: 'Alarm',
        Message: 'temperature high',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
      }),
    );
    const [, notification] = await subscriber.waitFor(2);
    expect(notification!.headers).toMatchObject({
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-message-id': MessageId,
      'x-amz-sns-topic-arn': TopicArn,
      'x-amz-sns-subscription-arn': SubscriptionArn,
    });
    const document = JSON.parse(notification!.body) as SnsDocument;
    expect(Object.keys(document)).toEqual([
      'Type',
      'MessageId',
      'TopicArn',
      'Subject',
      'Message',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertURL',
      'UnsubscribeURL',
      'MessageAttributes',
    ]);
    expect(document).toMatchObject({ Type: 'Notification', MessageId, TopicArn, Subject: 'Alarm', Message: 'temperature high' });
    expect(document.MessageAttributes).toEqual({ severity: { Type: 'String', Value: 'high' } });
    expect(document.Timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await verifySnsSignature(document)).toBe(true);
    expect(await verifySnsSignature({ ...document, Message: 'tampered' })).toBe(false);
  });

  it('signs with SHA256withRSA when the topic asks for SignatureVersion 2', async () => {
    const { TopicArn } = await confirmedSubscription('notify-v2');
    await harness.sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'SignatureVersion', AttributeValue: '2' }));
    await harness.sns.send(new PublishCommand({ TopicArn, Message: 'no subject here' }));
    const [, notification] = await subscriber.waitFor(2);
    const document = JSON.parse(notification!.body) as SnsDocument;
    expect(document.SignatureVersion).toBe('2');
    expect(document.Subject).toBeUndefined();
    expect(await verifySnsSignature(document)).toBe(true);
  });

  it('retries a delivery the endpoint answered 500, until it takes it, with the same MessageId', async () => {
    const { TopicArn } = await confirmedSubscription('retry-me');
    subscriber.answerNext(500, 503);
    const { MessageId } = await harness.sns.send(new PublishCommand({ TopicArn, Message: 'try again' }));
    const posts = await subscriber.waitFor(4);
    expect(posts.slice(1).map((p) => p.status)).toEqual([500, 503, 200]);
    expect(posts.slice(1).map((p) => p.headers['x-amz-sns-message-id'])).toEqual([MessageId, MessageId, MessageId]);
  });

  it('gives up after the retry policy (numRetries) and does not retry a 4xx answer', async () => {
    const { TopicArn, SubscriptionArn } = await confirmedSubscription('give-up');
    await harness.sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn,
        AttributeName: 'DeliveryPolicy',
        AttributeValue: JSON.stringify({ healthyRetryPolicy: { numRetries: 1, minDelayTarget: 1, maxDelayTarget: 1 } }),
      }),
    );
    subscriber.answerNext(500, 500);
    await harness.sns.send(new PublishCommand({ TopicArn, Message: 'two attempts only' }));
    await subscriber.waitFor(3);
    subscriber.answerNext(404);
    await harness.sns.send(new PublishCommand({ TopicArn, Message: 'not retried' }));
    await subscriber.waitFor(4);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(subscriber.received.map((p) => p.status)).toEqual([200, 500, 500, 404]);
  });

  it('sends the bare message with x-amz-sns-rawdelivery when RawMessageDelivery is true', async () => {
    const { TopicArn } = await confirmedSubscription('raw', { RawMessageDelivery: 'true' });
    await harness.sns.send(new PublishCommand({ TopicArn, Message: '{"alarm":"on"}' }));
    const [, raw] = await subscriber.waitFor(2);
    expect(raw!.body).toBe('{"alarm":"on"}');
    expect(raw!.headers['x-amz-sns-rawdelivery']).toBe('true');
  });

  it('delivers only the messages that pass the filter policy, and the http entry of a MessageStructure json message', async () => {
    const { TopicArn } = await confirmedSubscription('filtered', {
      FilterPolicy: JSON.stringify({ severity: ['high', { prefix: 'crit' }] }),
    });
    await harness.sns.send(
      new PublishCommand({ TopicArn, Message: 'low', MessageAttributes: { severity: { DataType: 'String', StringValue: 'low' } } }),
    );
    await harness.sns.send(new PublishCommand({ TopicArn, Message: 'none' }));
    await harness.sns.send(
      new PublishCommand({
        TopicArn,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'plain', http: 'for webhooks' }),
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'critical' } },
      }),
    );
    const [, delivered] = await subscriber.waitFor(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(subscriber.received).toHaveLength(2);
    expect((JSON.parse(delivered!.body) as SnsDocument).Message).toBe('for webhooks');
  });

  it('stops delivering after Unsubscribe through the UnsubscribeURL of a message (unsigned)', async () => {
    const { TopicArn } = await confirmedSubscription('leave');
    await harness.sns.send(new PublishCommand({ TopicArn, Message: 'first' }));
    const [, first] = await subscriber.waitFor(2);
    const { UnsubscribeURL } = JSON.parse(first!.body) as SnsDocument;
    expect((await fetch(UnsubscribeURL ?? '')).status).toBe(200);
    await harness.sns.send(new PublishCommand({ TopicArn, Message: 'second' }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(subscriber.received).toHaveLength(2);
    expect((await harness.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions).toEqual([]);
  });

  it('keeps a pending delivery across a restart and delivers it after', async () => {
    const { TopicArn } = await confirmedSubscription('restart');
    // Long enough that the retry is still waiting when the stand-in closes.
    subscriber.answerNext(500);
    await harness.sns.send(
      new SetTopicAttributesCommand({
        TopicArn,
        AttributeName: 'DeliveryPolicy',
        AttributeValue: JSON.stringify({
          http: { defaultHealthyRetryPolicy: { numRetries: 3, minDelayTarget: 3600, maxDelayTarget: 3600 } },
        }),
      }),
    );
    await harness.sns.send(new PublishCommand({ TopicArn, Message: 'survive' }));
    await subscriber.waitFor(2);
    await harness.restart();
    const posts = await subscriber.waitFor(3);
    expect((JSON.parse(posts[2]!.body) as SnsDocument).Message).toBe('survive');
  });

  it('refuses an Unsubscribe of an unknown subscription with NotFound', async () => {
    await expect(
      harness.sns.send(
        new UnsubscribeCommand({ SubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:none:00000000-0000-0000-0000-000000000000' }),
      ),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});
