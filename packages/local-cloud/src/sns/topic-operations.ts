/**
 * Topic operations of the SNS API Reference: CreateTopic (idempotent), DeleteTopic (idempotent),
 * ListTopics, GetTopicAttributes, SetTopicAttributes, and the tagging operations. FIFO topics are
 * refused: the local cloud has standard topics only.
 */
import { AwsError } from '../aws-endpoint/aws-error.ts';
import { defaultTopicDeliveryPolicy, validateTopicDeliveryPolicy } from './delivery-policy.ts';
import { optionalString, requiredString, stringList, stringMap, structureList } from './query-input.ts';
import { XmlMap } from './query-response.ts';
import { page, requireTopic, subscriptionsOf, topicArnOf, type SnsContext } from './sns-context.ts';
import { invalidParameter } from './sns-errors.ts';
import type { SnsOperation } from './sns-operation.ts';
import type { StoredTopic } from './sns-store.ts';

const topicNamePattern = /^[A-Za-z0-9_-]{1,256}$/;

/** Attributes CreateTopic and SetTopicAttributes accept; the others SNS has are read-only or not served here. */
const settableTopicAttributes: ReadonlySet<string> = new Set([
  'DisplayName',
  'Policy',
  'DeliveryPolicy',
  'SignatureVersion',
  'TracingConfig',
  'KmsMasterKeyId',
  'DataProtectionPolicy',
]);

export function topicOperations(context: SnsContext): Record<string, SnsOperation> {
  return {
    async CreateTopic(params) {
      const name = requiredString(params, 'Name');
      const attributes = stringMap(params, 'Attributes');
      if (name.endsWith('.fifo') || attributes.FifoTopic === 'true') {
        throw invalidParameter('Name', 'FIFO topics are not supported by the local cloud; use a standard topic');
      }
      delete attributes.FifoTopic;
      if (!topicNamePattern.test(name)) throw invalidParameter('Topic Name');
      for (const [attribute, value] of Object.entries(attributes)) validateTopicAttribute(attribute, value);
      const tags = tagMap(params);
      const arn = topicArnOf(context, name);
      const existing = context.topics.get(arn);
      if (existing) {
        // Idempotent for the same request; SNS refuses the same name with other attributes.
        if (Object.entries(attributes).some(([attribute, value]) => (existing.attributes[attribute] ?? '') !== value)) {
          throw invalidParameter('Attributes', 'Topic already exists with different attributes');
        }
        return { TopicArn: arn };
      }
      const topic: StoredTopic = { name, arn, attributes, tags };
      await context.store.commit({ topics: [topic] }, true);
      context.topics.set(arn, topic);
      return { TopicArn: arn };
    },

    async DeleteTopic(params) {
      const arn = requiredString(params, 'TopicArn');
      const topic = context.topics.get(arn);
      // "This action is idempotent, so deleting a topic that does not exist does not result in an error."
      if (!topic) return undefined;
      const subscriptions = subscriptionsOf(context, arn);
      await context.store.commit({ deletedTopics: [topic.name], deletedSubscriptions: subscriptions.map((s) => s.id) }, true);
      context.topics.delete(arn);
      for (const subscription of subscriptions) context.subscriptions.delete(subscription.arn);
      context.deletedCounts.delete(arn);
      return undefined;
    },

    async ListTopics(params) {
      const { items, nextToken } = page([...context.topics.keys()], optionalString(params, 'NextToken'), context.pageSize);
      return { Topics: items.map((TopicArn) => ({ TopicArn })), NextToken: nextToken };
    },

    async GetTopicAttributes(params) {
      const topic = requireTopic(context, requiredString(params, 'TopicArn'));
      const subscriptions = subscriptionsOf(context, topic.arn);
      const attributes: Record<string, string> = {
        TopicArn: topic.arn,
        Owner: context.accountId,
        Policy: topic.attributes.Policy ?? defaultTopicPolicy(topic.arn, context.accountId),
        DisplayName: topic.attributes.DisplayName ?? '',
        SubscriptionsConfirmed: String(subscriptions.filter((s) => s.confirmed).length),
        SubscriptionsPending: String(subscriptions.filter((s) => !s.confirmed).length),
        SubscriptionsDeleted: String(context.deletedCounts.get(topic.arn) ?? 0),
        EffectiveDeliveryPolicy: topic.attributes.DeliveryPolicy ?? JSON.stringify(defaultTopicDeliveryPolicy),
        SignatureVersion: topic.attributes.SignatureVersion ?? '1',
        ...topic.attributes,
      };
      return { Attributes: new XmlMap(attributes) };
    },

    async SetTopicAttributes(params) {
      const topic = requireTopic(context, requiredString(params, 'TopicArn'));
      const name = requiredString(params, 'AttributeName');
      const value = optionalString(params, 'AttributeValue') ?? '';
      validateTopicAttribute(name, value);
      const updated: StoredTopic = { ...topic, attributes: { ...topic.attributes, [name]: value } };
      await context.store.commit({ topics: [updated] }, true);
      context.topics.set(topic.arn, updated);
      return undefined;
    },

    async TagResource(params) {
      const topic = taggedTopic(context, requiredString(params, 'ResourceArn'));
      const tags = tagMap(params);
      if (Object.keys(tags).length === 0) throw invalidParameter('Tags', 'at least one tag is required');
      await saveTopic(context, { ...topic, tags: { ...topic.tags, ...tags } });
      return {};
    },

    async UntagResource(params) {
      const topic = taggedTopic(context, requiredString(params, 'ResourceArn'));
      const keys = new Set(stringList(params, 'TagKeys'));
      await saveTopic(context, { ...topic, tags: Object.fromEntries(Object.entries(topic.tags).filter(([key]) => !keys.has(key))) });
      return {};
    },

    async ListTagsForResource(params) {
      const topic = taggedTopic(context, requiredString(params, 'ResourceArn'));
      return { Tags: Object.entries(topic.tags).map(([Key, Value]) => ({ Key, Value })) };
    },
  };
}

async function saveTopic(context: SnsContext, topic: StoredTopic): Promise<void> {
  await context.store.commit({ topics: [topic] }, true);
  context.topics.set(topic.arn, topic);
}

/** The tagging operations answer ResourceNotFound, not NotFound, for an unknown ARN. */
function taggedTopic(context: SnsContext, arn: string): StoredTopic {
  const topic = context.topics.get(arn);
  if (!topic) throw new AwsError('ResourceNotFound', 'Resource does not exist', 404);
  return topic;
}

function tagMap(params: URLSearchParams): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of structureList(params, 'Tags')) {
    const key = tag.get('Key');
    if (key === null || key === '' || key.length > 128) throw invalidParameter('Tags', 'a tag key must have 1 to 128 characters');
    tags[key] = tag.get('Value') ?? '';
  }
  return tags;
}

function validateTopicAttribute(name: string, value: string): void {
  if (!settableTopicAttributes.has(name)) throw invalidParameter('AttributeName', `${name} is not a settable topic attribute`);
  switch (name) {
    case 'DisplayName':
      if (value.length > 100) throw invalidParameter('DisplayName', 'at most 100 characters');
      return;
    case 'SignatureVersion':
      if (value !== '1' && value !== '2') throw invalidParameter('SignatureVersion', `must be 1 or 2; received "${value}"`);
      return;
    case 'DeliveryPolicy':
      if (value !== '') validateTopicDeliveryPolicy(value);
      return;
    case 'Policy':
      try {
        JSON.parse(value);
      } catch {
        throw invalidParameter('Policy', 'not valid JSON');
      }
      return;
  }
}

/** The access policy SNS gives a new topic: the owner account may do everything on it. */
function defaultTopicPolicy(topicArn: string, accountId: string): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes',
          'SNS:SetTopicAttributes',
          'SNS:AddPermission',
          'SNS:RemovePermission',
          'SNS:DeleteTopic',
          'SNS:Subscribe',
          'SNS:ListSubscriptionsByTopic',
          'SNS:Publish',
        ],
        Resource: topicArn,
        Condition: { StringEquals: { 'AWS:SourceOwner': accountId } },
      },
    ],
  });
}
