/**
 * The queue operations of the SQS JSON protocol: CreateQueue, GetQueueUrl, ListQueues,
 * DeleteQueue, PurgeQueue, GetQueueAttributes and SetQueueAttributes, with the input validation and
 * output shapes of the SQS API Reference; the queue semantics are the engine's (operations/queues.ts).
 */
import type { JsonOperation } from '../aws-endpoint/index.ts';
import { accountId, queueNamePattern, readOnlyAttributes, reportedAttributes, validateAttributes } from './sqs-attributes.ts';
import type { SqsEngine } from './sqs-engine.ts';
import { invalidParameter, queueDoesNotExist, sqsError } from './sqs-errors.ts';
import { objectField, optionalInteger, requiredString, type Input } from './sqs-input.ts';

/** `baseUrl`: where clients reach the local AWS endpoint; queue URLs are `<baseUrl>/<account>/<name>`. */
export function queueOperations(engine: SqsEngine, baseUrl: string): Record<string, JsonOperation> {
  const queueUrl = (name: string) => `${baseUrl}/${accountId}/${name}`;
  return {
    async CreateQueue(input) {
      const name = requiredString(input, 'QueueName');
      if (name.endsWith('.fifo'))
        throw invalidParameter('The local cloud serves standard queues only; FIFO queues (.fifo) are not supported.');
      if (!queueNamePattern.test(name)) {
        throw invalidParameter(
          `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length (received "${name}").`,
        );
      }
      await engine.createQueue(name, validateAttributes(objectField(input, 'Attributes')));
      return { QueueUrl: queueUrl(name) };
    },

    async GetQueueUrl(input) {
      const name = requiredString(input, 'QueueName');
      if (!engine.hasQueue(name)) throw queueDoesNotExist();
      return { QueueUrl: queueUrl(name) };
    },

    async ListQueues(input) {
      const prefix = typeof input.QueueNamePrefix === 'string' ? input.QueueNamePrefix : '';
      const max = optionalInteger(input, 'MaxResults', 1, 1000);
      const after = typeof input.NextToken === 'string' ? Buffer.from(input.NextToken, 'base64url').toString('utf8') : '';
      const names = engine.queueNames().filter((name) => name.startsWith(prefix) && name > after);
      const page = names.slice(0, max ?? 1000);
      return {
        ...(page.length > 0 ? { QueueUrls: page.map(queueUrl) } : {}),
        ...(max !== undefined && names.length > page.length ? { NextToken: Buffer.from(page.at(-1)!).toString('base64url') } : {}),
      };
    },

    async DeleteQueue(input) {
      await engine.deleteQueue(queueName(input));
      return {};
    },

    async PurgeQueue(input) {
      await engine.purgeQueue(queueName(input));
      return {};
    },

    async GetQueueAttributes(input) {
      const name = queueName(input);
      const wanted = Array.isArray(input.AttributeNames) ? (input.AttributeNames as unknown[]).map(String) : [];
      const all = engine.attributes(name);
      if (wanted.includes('All')) return { Attributes: all };
      const known = new Set([
        ...Object.keys(reportedAttributes({})),
        ...readOnlyAttributes,
        'RedrivePolicy',
        'Policy',
        'KmsMasterKeyId',
        'SqsManagedSseEnabled',
        'RedriveAllowPolicy',
        'KmsDataKeyReusePeriodSeconds',
      ]);
      const attributes: Record<string, string> = {};
      for (const attribute of wanted) {
        if (!known.has(attribute)) throw sqsError('InvalidAttributeName', `Unknown Attribute ${attribute}.`);
        if (all[attribute] !== undefined) attributes[attribute] = all[attribute];
      }
      return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
    },

    async SetQueueAttributes(input) {
      await engine.setAttributes(queueName(input), validateAttributes(objectField(input, 'Attributes')));
      return {};
    },
  };
}

/** Queue name from `QueueUrl` (`<endpoint>/<account>/<name>`); any host is accepted, as clients may say localhost. */
export function queueName(input: Input): string {
  const url = requiredString(input, 'QueueUrl');
  const name = url.replace(/\/+$/, '').split('/').at(-1) ?? '';
  if (!queueNamePattern.test(name)) throw queueDoesNotExist();
  return name;
}
