/**
 * Contract of the SNS stand-in's topic operations through @aws-sdk/client-sns (Query protocol,
 * SigV4 and IAM enforced by the local AWS endpoint), with SNS's errors.
 */
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  SetTopicAttributesCommand,
  SNSClient,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAwsError } from '../testing/aws-error-expectation.ts';
import { startSnsHarness, testRegion, type SnsHarness } from './sns-test-harness.ts';

describe('SNS topics', () => {
  let harness: SnsHarness;
  beforeAll(async () => {
    harness = await startSnsHarness({ pageSize: 2 });
  });
  afterAll(() => harness.close());

  it('creates a topic with its ARN, and answers the same ARN when created again (idempotent)', async () => {
    const first = await harness.sns.send(new CreateTopicCommand({ Name: 'alarms', Attributes: { DisplayName: 'Fleet alarms' } }));
    expect(first.TopicArn).toBe('arn:aws:sns:us-east-1:000000000000:alarms');
    const again = await harness.sns.send(new CreateTopicCommand({ Name: 'alarms', Attributes: { DisplayName: 'Fleet alarms' } }));
    expect(again.TopicArn).toBe(first.TopicArn);
  });

  it('refuses the same name with other attributes, a bad name and FIFO topics with InvalidParameter', async () => {
    await expectAwsError(
      harness.sns.send(new CreateTopicCommand({ Name: 'alarms', Attributes: { DisplayName: 'Other' } })),
      'InvalidParameterException',
      400,
    );
    await expectAwsError(harness.sns.send(new CreateTopicCommand({ Name: 'bad name!' })), 'InvalidParameterException', 400);
    await expect(
      harness.sns.send(new CreateTopicCommand({ Name: 'orders.fifo', Attributes: { FifoTopic: 'true' } })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('FIFO topics are not supported'),
    });
    await expectAwsError(
      harness.sns.send(new CreateTopicCommand({ Name: 't', Attributes: { Nonsense: 'x' } })),
      'InvalidParameterException',
      400,
    );
  });

  it('reports and changes topic attributes; the default policy, counts and effective delivery policy are there', async () => {
    const { TopicArn } = await harness.sns.send(new CreateTopicCommand({ Name: 'attributes' }));
    await harness.sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'DisplayName', AttributeValue: 'Shown' }));
    await harness.sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'SignatureVersion', AttributeValue: '2' }));
    const policy = JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 5, minDelayTarget: 1, maxDelayTarget: 10 } } });
    await harness.sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'DeliveryPolicy', AttributeValue: policy }));
    const { Attributes } = await harness.sns.send(new GetTopicAttributesCommand({ TopicArn }));
    expect(Attributes).toMatchObject({
      TopicArn,
      Owner: '000000000000',
      DisplayName: 'Shown',
      SignatureVersion: '2',
      DeliveryPolicy: policy,
      EffectiveDeliveryPolicy: policy,
      SubscriptionsConfirmed: '0',
      SubscriptionsPending: '0',
      SubscriptionsDeleted: '0',
    });
    expect(JSON.parse(Attributes?.Policy ?? '{}')).toMatchObject({ Id: '__default_policy_ID' });
  });

  it('refuses a bad attribute value with InvalidParameter', async () => {
    const { TopicArn } = await harness.sns.send(new CreateTopicCommand({ Name: 'attributes' }));
    await expectAwsError(
      harness.sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'SignatureVersion', AttributeValue: '3' })),
      'InvalidParameterException',
      400,
    );
    await expectAwsError(
      harness.sns.send(
        new SetTopicAttributesCommand({
          TopicArn,
          AttributeName: 'DeliveryPolicy',
          AttributeValue: '{"http":{"defaultHealthyRetryPolicy":{"numRetries":-1}}}',
        }),
      ),
      'InvalidParameterException',
      400,
    );
  });

  it('answers NotFound for a topic that does not exist', async () => {
    const TopicArn = `arn:aws:sns:${testRegion}:000000000000:missing`;
    await expect(harness.sns.send(new GetTopicAttributesCommand({ TopicArn }))).rejects.toMatchObject({
      name: 'NotFoundException',
      message: 'Topic does not exist',
      $metadata: { httpStatusCode: 404 },
    });
    await expectAwsError(
      harness.sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'DisplayName', AttributeValue: 'x' })),
      'NotFoundException',
      404,
    );
  });

  it('lists topics in pages with NextToken', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await harness.sns.send(new CreateTopicCommand({ Name: name }));
    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await harness.sns.send(new ListTopicsCommand({ NextToken }));
      expect(page.Topics?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.Topics ?? []).map((t) => t.TopicArn ?? ''));
      NextToken = page.NextToken;
      pages += 1;
    } while (NextToken);
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual(expect.arrayContaining(['page-a', 'page-b', 'page-c'].map((n) => `arn:aws:sns:us-east-1:000000000000:${n}`)));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('deletes a topic, idempotently', async () => {
    const { TopicArn } = await harness.sns.send(new CreateTopicCommand({ Name: 'short-lived' }));
    await harness.sns.send(new DeleteTopicCommand({ TopicArn }));
    await harness.sns.send(new DeleteTopicCommand({ TopicArn }));
    await expectAwsError(harness.sns.send(new GetTopicAttributesCommand({ TopicArn })), 'NotFoundException', 404);
  });

  it('tags, lists and untags a topic; ResourceNotFound for an unknown one', async () => {
    const { TopicArn } = await harness.sns.send(new CreateTopicCommand({ Name: 'tagged', Tags: [{ Key: 'team', Value: 'ops' }] }));
    await harness.sns.send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: [{ Key: 'env', Value: 'local' }] }));
    expect((await harness.sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags).toEqual([
      { Key: 'team', Value: 'ops' },
      { Key: 'env', Value: 'local' },
    ]);
    await harness.sns.send(new UntagResourceCommand({ ResourceArn: TopicArn, TagKeys: ['team'] }));
    expect((await harness.sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags).toEqual([
      { Key: 'env', Value: 'local' },
    ]);
    await expectAwsError(
      harness.sns.send(new ListTagsForResourceCommand({ ResourceArn: 'arn:aws:sns:us-east-1:000000000000:nope' })),
      'ResourceNotFoundException',
      404,
    );
  });

  it('keeps topics across a restart', async () => {
    const { TopicArn } = await harness.sns.send(new CreateTopicCommand({ Name: 'kept', Attributes: { DisplayName: 'Kept' } }));
    await harness.restart();
    expect((await harness.sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes?.DisplayName).toBe('Kept');
  });
});

describe('SNS access control', () => {
  let harness: SnsHarness;
  beforeAll(async () => {
    harness = await startSnsHarness();
  });
  afterAll(() => harness.close());

  it("refuses a task whose role lacks sns:CreateTopic with SNS's AuthorizationError naming action and topic", async () => {
    await expect(harness.apiTaskSns.send(new CreateTopicCommand({ Name: 'denied' }))).rejects.toMatchObject({
      name: 'AuthorizationErrorException',
      message: expect.stringContaining('sns:CreateTopic on resource: arn:aws:sns:us-east-1:000000000000:denied'),
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('refuses unknown keys with InvalidClientTokenId and a wrong secret with SignatureDoesNotMatch', async () => {
    const client = (secretAccessKey: string, accessKeyId = 'LKIAROOT') =>
      new SNSClient({ endpoint: harness.endpointUrl, region: testRegion, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
    await expect(client('x', 'AKIAMADEUP').send(new ListTopicsCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(client('wrong').send(new ListTopicsCommand({}))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('serves no unsigned request but the public links (ListTopics without a signature is refused)', async () => {
    const response = await fetch(`${harness.endpointUrl}/?Action=ListTopics`);
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain('TopicArn');
  });
});
