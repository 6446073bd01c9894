/**
 * Fuzz of the SNS stand-in's Query handler: arbitrary form bodies for every operation (known and
 * made-up parameter names, list and map members at odd indexes, JSON-ish and garbage values). Every
 * answer must be no 5xx, an `<ErrorResponse>` with a Code when it is an error, and the stand-in must
 * still serve afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSnsStandIn, type SnsStandIn } from './sns-stand-in.ts';

const operations = [
  'CreateTopic',
  'DeleteTopic',
  'ListTopics',
  'GetTopicAttributes',
  'SetTopicAttributes',
  'Subscribe',
  'ConfirmSubscription',
  'Unsubscribe',
  'ListSubscriptions',
  'ListSubscriptionsByTopic',
  'GetSubscriptionAttributes',
  'SetSubscriptionAttributes',
  'Publish',
  'PublishBatch',
  'TagResource',
  'UntagResource',
  'ListTagsForResource',
  'NoSuchAction',
  '__proto__',
];
const topicArn = 'arn:aws:sns:us-east-1:000000000000:fuzz';
const names = [
  'Name',
  'TopicArn',
  'TargetArn',
  'Message',
  'Subject',
  'MessageStructure',
  'Protocol',
  'Endpoint',
  'Token',
  'SubscriptionArn',
  'AttributeName',
  'AttributeValue',
  'NextToken',
  'ResourceArn',
  'ReturnSubscriptionArn',
  'Attributes.entry.1.key',
  'Attributes.entry.1.value',
  'Attributes.entry.0.key',
  'MessageAttributes.entry.1.Name',
  'MessageAttributes.entry.1.Value.DataType',
  'MessageAttributes.entry.1.Value.StringValue',
  'MessageAttributes.entry.99999999999999999999.Name',
  'PublishBatchRequestEntries.member.1.Id',
  'PublishBatchRequestEntries.member.1.Message',
  'PublishBatchRequestEntries.member.2.Id',
  'Tags.member.1.Key',
  'Tags.member.1.Value',
  'TagKeys.member.1',
];
const values = fc.oneof(
  fc.constantFrom(
    topicArn,
    `${topicArn}:00000000-0000-0000-0000-000000000000`,
    'fuzz',
    'http://127.0.0.1:9/x',
    'a@example.com',
    'json',
    'true',
    'DeliveryPolicy',
    'FilterPolicy',
    'RawMessageDelivery',
    'String',
    'Number',
    'String.Array',
    '{"default":"x"}',
    '{"a":[{"numeric":[">",1]}]}',
    '{"http":{"defaultHealthyRetryPolicy":{"numRetries":1e9}}}',
    '[',
    'null',
    '',
    'MQ',
    '-1',
  ),
  fc.string({ maxLength: 40 }),
  fc.json({ maxDepth: 3 }),
);
const form = fc.tuple(
  fc.constantFrom(...operations),
  fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 20 })), values), { maxLength: 8 }),
);

let dataDir: string;
let standIn: SnsStandIn;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sns-fuzz-'));
  standIn = await createSnsStandIn({
    dataDir,
    endpointUrl: 'http://127.0.0.1:1',
    region: 'us-east-1',
    accountId: '000000000000',
    httpTimeoutMs: 200,
  });
});
afterAll(async () => {
  await standIn.close();
  await rm(dataDir, { recursive: true, force: true });
});

it('answers every form body without a 5xx, with a Query error document when it refuses', async () => {
  await fc.assert(
    fc.asyncProperty(form, async ([action, params]) => {
      const body = new URLSearchParams([['Action', action], ['Version', '2010-03-31'], ...params]).toString();
      const answer = await standIn.handler({
        method: 'POST',
        path: '/',
        rawUrl: '/',
        query: new URLSearchParams(),
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: Buffer.from(body),
        service: 'sns',
        operation: action,
      });
      const text = String(answer.body);
      expect(answer.status, `${body} → ${text.slice(0, 300)}`).toBeLessThan(500);
      if (answer.status >= 400) expect(text, body).toMatch(/^<ErrorResponse [^>]*><Error><Type>Sender<\/Type><Code>[A-Za-z]+<\/Code>/);
      else expect(text).toContain(`<${action}Response`);
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 500) },
  );
  const listed = await standIn.handler({
    method: 'POST',
    path: '/',
    rawUrl: '/',
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: Buffer.from('Action=ListTopics'),
    service: 'sns',
    operation: 'ListTopics',
  });
  expect(listed.status).toBe(200);
}, 120_000);
