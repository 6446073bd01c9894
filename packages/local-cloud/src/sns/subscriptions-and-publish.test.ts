/**
 * Contract of the SNS stand-in's subscription and publish operations through @aws-sdk/client-sns:
 * e-mail subscriptions confirmed from the local mailbox, SQS subscriptions delivering into the SQS
 * stand-in, the List and attribute operations, PublishBatch, and SNS's errors.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAwsError } from '../testing/aws-error-expectation.ts';
import { createSqsStandIn, type SqsStandIn } from '../sqs/index.ts';
import { createSqsTestQueue } from './sqs-test-queue.ts';
import { startSnsHarness, type SnsHarness } from './sns-test-harness.ts';

interface MailboxMessage {
  id: string;
  to: string;
  subject: string;
  body: string;
  receivedAt: string;
  kind: string;
}

describe('SNS subscriptions and publishing', () => {
  let harness: SnsHarness;
  let sqs: SqsStandIn;
  let sqsDir: string;
  let TopicArn: string;
  const sqsBase = 'http://127.0.0.1:1/000000000000';

  beforeAll(async () => {
    sqsDir = await mkdtemp(join(tmpdir(), 'fleet-test-sns-sqs-'));
    sqs = await createSqsStandIn({ dataDir: sqsDir, endpointUrl: 'http://127.0.0.1:1' });
    harness = await startSnsHarness({
      pageSize: 2,
      deliverToSqs: async (queueArn, body) => {
        const [failure] = await sqs.sendBatch(`${sqsBase}/${queueArn.slice(queueArn.lastIndexOf(':') + 1)}`, [body]);
        if (failure) throw failure;
      },
    });
    TopicArn = (await harness.sns.send(new CreateTopicCommand({ Name: 'notifications', Attributes: { DisplayName: 'Fleet' } }))).TopicArn!;
  });
  afterAll(async () => {
    await harness.close();
    await sqs.close();
    await rm(sqsDir, { recursive: true, force: true });
  });

  const mailbox = async (to?: string): Promise<MailboxMessage[]> => {
    const response = await fetch(`${harness.endpointUrl}/_fleet/mailbox${to ? `?to=${encodeURIComponent(to)}` : ''}`);
    expect(response.headers.get('content-type')).toBe('application/json');
    return ((await response.json()) as { messages: MailboxMessage[] }).messages;
  };

  it('puts the confirmation of an e-mail subscription in the local mailbox; ConfirmSubscription with its token confirms it', async () => {
    const subscribed = await harness.sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'ops@example.com', ReturnSubscriptionArn: true }),
    );
    expect(subscribed.SubscriptionArn).toMatch(new RegExp(`^${TopicArn}:`));
    const [confirmation] = await mailbox('OPS@example.com');
    expect(confirmation).toMatchObject({
      to: 'ops@example.com',
      subject: 'AWS Notification - Subscription Confirmation',
      kind: 'subscription-confirmation',
    });
    const token = /Token=([0-9a-f]+)/.exec(confirmation!.body)?.[1] ?? '';
    await expectAwsError(harness.sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: 'wrong' })), 'InvalidParameterException', 400);
    const confirmed = await harness.sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: token }));
    expect(confirmed.SubscriptionArn).toBe(subscribed.SubscriptionArn);
    const { Attributes } = await harness.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscribed.SubscriptionArn }));
    expect(Attributes).toMatchObject({ PendingConfirmation: 'false', ConfirmationWasAuthenticated: 'true', Protocol: 'email' });
  });

  it('delivers a notification e-mail (subject, message, unsubscribe link) newest first, and email-json as the signed JSON', async () => {
    const json = await harness.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email-json', Endpoint: 'robot@example.com' }));
    expect(json.SubscriptionArn).toBe('pending confirmation');
    const token = (JSON.parse((await mailbox('robot@example.com'))[0]!.body) as { Token: string }).Token;
    await harness.sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: token }));
    await harness.sns.send(new PublishCommand({ TopicArn, Message: 'first' }));
    await harness.sns.send(new PublishCommand({ TopicArn, Subject: 'Alarm raised', Message: 'Device d1 is too hot' }));
    const [latest, earlier] = await mailbox('ops@example.com');
    expect(latest).toMatchObject({ subject: 'Alarm raised', kind: 'notification' });
    expect(latest!.body).toContain('Device d1 is too hot');
    expect(latest!.body).toContain('?Action=Unsubscribe&SubscriptionArn=');
    // Without a Subject the e-mail carries the topic's DisplayName.
    expect(earlier).toMatchObject({ subject: 'Fleet' });
    const [robot] = await mailbox('robot@example.com');
    expect(JSON.parse(robot!.body)).toMatchObject({ Type: 'Notification', Subject: 'Alarm raised', Message: 'Device d1 is too hot' });
  });

  it('delivers into an SQS queue of the local cloud, wrapped in the notification JSON unless raw', async () => {
    const queue = await createSqsTestQueue(sqs, 'alarm-queue');
    const arn = 'arn:aws:sqs:us-east-1:000000000000:alarm-queue';
    const subscribed = await harness.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: arn }));
    expect(subscribed.SubscriptionArn).toMatch(new RegExp(`^${TopicArn}:`));
    await harness.sns.send(new PublishCommand({ TopicArn, Message: 'to the queue' }));
    const [wrapped] = await queue.receive(1);
    expect(JSON.parse(wrapped!)).toMatchObject({ Type: 'Notification', Message: 'to the queue', TopicArn });
    await harness.sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: subscribed.SubscriptionArn,
        AttributeName: 'RawMessageDelivery',
        AttributeValue: 'true',
      }),
    );
    await harness.sns.send(new PublishCommand({ TopicArn, Message: 'raw body' }));
    expect(await queue.receive(1)).toEqual(['raw body']);
  });

  it('refuses protocols it does not deliver to, bad endpoints and raw delivery for e-mail with InvalidParameter', async () => {
    for (const [Protocol, Endpoint] of [
      ['lambda', 'arn:aws:lambda:us-east-1:000000000000:function:f'],
      ['sms', '+15555550100'],
      ['http', 'ftp://127.0.0.1/x'],
      ['https', 'http://127.0.0.1/x'],
      ['email', 'not-an-address'],
      ['sqs', 'queue-name'],
    ] as const) {
      await expectAwsError(harness.sns.send(new SubscribeCommand({ TopicArn, Protocol, Endpoint })), 'InvalidParameterException', 400);
    }
    await expectAwsError(
      harness.sns.send(
        new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'a@example.com', Attributes: { RawMessageDelivery: 'true' } }),
      ),
      'InvalidParameterException',
      400,
    );
    await expectAwsError(
      harness.sns.send(
        new SubscribeCommand({
          TopicArn,
          Protocol: 'email',
          Endpoint: 'a@example.com',
          Attributes: { FilterPolicy: '{"a":[{"regex":"x"}]}' },
        }),
      ),
      'InvalidParameterException',
      400,
    );
    await expectAwsError(
      harness.sns.send(
        new SubscribeCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:nope', Protocol: 'email', Endpoint: 'a@example.com' }),
      ),
      'NotFoundException',
      404,
    );
  });

  it('sends the confirmation of a pending subscription again when it is subscribed again', async () => {
    await harness.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'again@example.com' }));
    await harness.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'again@example.com' }));
    const confirmations = await mailbox('again@example.com');
    expect(confirmations.map((m) => m.kind)).toEqual(['subscription-confirmation', 'subscription-confirmation']);
    expect(new Set(confirmations.map((m) => /Token=([0-9a-f]+)/.exec(m.body)?.[1])).size).toBe(1);
  });

  it('lists subscriptions, pending ones as PendingConfirmation, in pages', async () => {
    await harness.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'pending@example.com' }));
    const all: { SubscriptionArn?: string; Endpoint?: string; Protocol?: string; Owner?: string; TopicArn?: string }[] = [];
    let NextToken: string | undefined;
    do {
      const page = await harness.sns.send(new ListSubscriptionsCommand({ NextToken }));
      expect(page.Subscriptions!.length).toBeLessThanOrEqual(2);
      all.push(...page.Subscriptions!);
      NextToken = page.NextToken;
    } while (NextToken);
    expect(all.find((s) => s.Endpoint === 'pending@example.com')).toEqual({
      SubscriptionArn: 'PendingConfirmation',
      Owner: '000000000000',
      Protocol: 'email',
      Endpoint: 'pending@example.com',
      TopicArn,
    });
    const byTopic = await harness.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(byTopic.Subscriptions).toHaveLength(2);
    expect(byTopic.NextToken).toBeDefined();
  });

  it('sets and reads subscription attributes; refuses unknown ones; Unsubscribe removes the subscription', async () => {
    const { SubscriptionArn } = await harness.sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'filter@example.com', ReturnSubscriptionArn: true }),
    );
    const policy = JSON.stringify({ severity: [{ 'anything-but': 'low' }] });
    await harness.sns.send(
      new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: policy }),
    );
    expect((await harness.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes).toMatchObject({
      FilterPolicy: policy,
      FilterPolicyScope: 'MessageAttributes',
      PendingConfirmation: 'true',
    });
    await expectAwsError(
      harness.sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'Endpoint', AttributeValue: 'x' })),
      'InvalidParameterException',
      400,
    );
    await harness.sns.send(new UnsubscribeCommand({ SubscriptionArn }));
    await expectAwsError(harness.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn })), 'NotFoundException', 404);
  });

  it("refuses a bad Publish with SNS's errors", async () => {
    await expectAwsError(harness.sns.send(new PublishCommand({ TopicArn, Message: '' })), 'InvalidParameterException', 400);
    await expectAwsError(harness.sns.send(new PublishCommand({ Message: 'x' })), 'InvalidParameterException', 400);
    await expectAwsError(harness.sns.send(new PublishCommand({ TopicArn: `${TopicArn}-missing`, Message: 'x' })), 'NotFoundException', 404);
    await expectAwsError(
      harness.sns.send(new PublishCommand({ TopicArn, Message: 'x', Subject: 'two\nlines' })),
      'InvalidParameterException',
      400,
    );
    await expectAwsError(
      harness.sns.send(new PublishCommand({ TopicArn, Message: 'x'.repeat(262_145) })),
      'InvalidParameterException',
      400,
    );
    await expect(
      harness.sns.send(new PublishCommand({ TopicArn, MessageStructure: 'json', Message: '{"http":"x"}' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('No default entry in JSON message body'),
    });
    await expectAwsError(
      harness.sns.send(
        new PublishCommand({ TopicArn, Message: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'ten' } } }),
      ),
      'InvalidParameterException',
      400,
    );
    const viaTarget = await harness.sns.send(new PublishCommand({ TargetArn: TopicArn, Message: 'through TargetArn' }));
    expect(viaTarget.MessageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('publishes a batch: good entries succeed, bad ones fail alone; batch-level errors as SNS names them', async () => {
    const result = await harness.sns.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: [
          { Id: 'one', Message: 'batch one', Subject: 'Batch' },
          { Id: 'two', Message: '' },
          { Id: 'three', Message: 'batch three' },
        ],
      }),
    );
    expect(result.Successful?.map((s) => s.Id)).toEqual(['one', 'three']);
    expect(result.Failed).toEqual([
      { Id: 'two', Code: 'InvalidParameter', Message: expect.stringContaining('Empty message'), SenderFault: true },
    ]);
    expect((await mailbox('ops@example.com')).map((m) => m.body).join()).toContain('batch three');
    await expectAwsError(
      harness.sns.send(
        new PublishBatchCommand({
          TopicArn,
          PublishBatchRequestEntries: [
            { Id: 'a', Message: 'x' },
            { Id: 'a', Message: 'y' },
          ],
        }),
      ),
      'BatchEntryIdsNotDistinctException',
      400,
    );
    await expectAwsError(
      harness.sns.send(
        new PublishBatchCommand({
          TopicArn,
          PublishBatchRequestEntries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, Message: 'x' })),
        }),
      ),
      'TooManyEntriesInBatchRequestException',
      400,
    );
    await expectAwsError(
      harness.sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [] })),
      'EmptyBatchRequestException',
      400,
    );
  });
});
