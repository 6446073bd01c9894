/**
 * Publish and PublishBatch (SNS API Reference): the message is validated as SNS does (non-empty,
 * at most 256 KiB with its attributes, Subject rules, MessageStructure `json` with a `default`),
 * fanned out to the topic's subscriptions, and stored with every pending delivery in one fsync'ed
 * write before the answer: an answered Publish survives `kill -9`. Only topics are publish targets
 * here (no SMS, no mobile push endpoints).
 */
import { AwsError } from '../aws-endpoint/aws-error.ts';
import { fanOut, type FanOutMessage } from './fan-out.ts';
import { messageAttributes, optionalString, requiredString, structureList, type MessageAttributeValue } from './query-input.ts';
import { newMessageId, requireTopic, type SnsContext } from './sns-context.ts';
import { batchError, invalidParameter } from './sns-errors.ts';
import type { SnsOperation } from './sns-operation.ts';
import type { MailboxMessage, PendingDelivery } from './sns-store.ts';

const maxMessageBytes = 262_144;
const maxBatchEntries = 10;
const dataTypePattern = /^(String|Number|Binary|String\.Array)(\..+)?$/;

export function publishOperations(context: SnsContext): Record<string, SnsOperation> {
  async function store(deliveries: PendingDelivery[], mail: MailboxMessage[]): Promise<void> {
    await context.store.commit({ deliveries, mail }, true);
    context.worker.schedule(deliveries);
  }

  return {
    async Publish(params) {
      if (optionalString(params, 'PhoneNumber') !== undefined) throw invalidParameter('PhoneNumber', 'the local cloud sends no SMS');
      const arn = optionalString(params, 'TopicArn') ?? optionalString(params, 'TargetArn');
      if (arn === undefined) throw invalidParameter('TopicArn or TargetArn', 'no value for required parameter');
      if (arn.includes(':endpoint/')) throw invalidParameter('TargetArn', 'the local cloud has no mobile push endpoints');
      const topic = requireTopic(context, arn);
      const message = readMessage(params, context);
      const { deliveries, mail } = fanOut(context, topic, message);
      await store(deliveries, mail);
      return { MessageId: message.messageId };
    },

    async PublishBatch(params) {
      const topic = requireTopic(context, requiredString(params, 'TopicArn'));
      const entries = structureList(params, 'PublishBatchRequestEntries');
      if (entries.length === 0) throw batchError('EmptyBatchRequest', 'The batch request does not contain any entries.');
      if (entries.length > maxBatchEntries) {
        throw batchError('TooManyEntriesInBatchRequest', `The batch request contains more entries than permissible (${maxBatchEntries}).`);
      }
      const ids = entries.map((entry) => entry.get('Id') ?? '');
      if (ids.some((id) => !/^[A-Za-z0-9_-]{1,80}$/.test(id))) throw batchError('InvalidBatchEntryId', 'A batch entry id is invalid.');
      if (new Set(ids).size !== ids.length)
        throw batchError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
      const successful: { Id: string; MessageId: string }[] = [];
      const failed: { Id: string; Code: string; Message: string; SenderFault: boolean }[] = [];
      const deliveries: PendingDelivery[] = [];
      const mail: MailboxMessage[] = [];
      entries.forEach((entry, i) => {
        const id = ids[i]!;
        try {
          const message = readMessage(entry, context);
          const fanned = fanOut(context, topic, message);
          deliveries.push(...fanned.deliveries);
          mail.push(...fanned.mail);
          successful.push({ Id: id, MessageId: message.messageId });
        } catch (err) {
          if (!(err instanceof AwsError)) throw err;
          failed.push({ Id: id, Code: err.code, Message: err.message, SenderFault: err.status < 500 });
        }
      });
      await store(deliveries, mail);
      return { Successful: successful, Failed: failed };
    },
  };
}

function readMessage(params: URLSearchParams, context: SnsContext): FanOutMessage {
  const message = optionalString(params, 'Message') ?? '';
  if (message === '') throw invalidParameter('Message', 'Empty message');
  const subject = optionalString(params, 'Subject');
  if (subject !== undefined && (subject === '' || subject.length > 100 || /[\u0000-\u001f\u007f]/.test(subject))) {
    throw invalidParameter('Subject', 'must be 1 to 100 printable characters without line breaks');
  }
  const attributes = messageAttributes(params, 'MessageAttributes');
  for (const [name, attribute] of Object.entries(attributes)) validateAttribute(name, attribute);
  const size =
    Buffer.byteLength(message) +
    Object.entries(attributes).reduce(
      (sum, [name, a]) =>
        sum + Buffer.byteLength(name) + Buffer.byteLength(a.DataType) + Buffer.byteLength(a.StringValue ?? a.BinaryValue ?? ''),
      0,
    );
  if (size > maxMessageBytes)
    throw invalidParameter('Message too long', `at most ${maxMessageBytes} bytes with the attributes; received ${size}`);
  const structure = optionalString(params, 'MessageStructure');
  const byProtocol = structure === undefined ? undefined : parseStructure(structure, message);
  return {
    messageId: newMessageId(),
    message: byProtocol?.default ?? message,
    ...(subject !== undefined ? { subject } : {}),
    attributes,
    timestamp: new Date(context.now()).toISOString(),
    ...(byProtocol ? { byProtocol } : {}),
  };
}

/** MessageStructure `json`: the message is a JSON object of strings by protocol with a `default`. */
function parseStructure(structure: string, message: string): Record<string, string> {
  if (structure !== 'json') throw invalidParameter('MessageStructure', `must be json; received "${structure}"`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter('Message Structure', 'Failed to parse JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw invalidParameter('Message Structure', 'Failed to parse JSON');
  const entries = Object.entries(parsed);
  if (!entries.every(([, value]) => typeof value === 'string')) throw invalidParameter('Message Structure', 'every value must be a string');
  const byProtocol = Object.fromEntries(entries) as Record<string, string>;
  if (byProtocol.default === undefined) throw invalidParameter('Message Structure', 'No default entry in JSON message body');
  return byProtocol;
}

function validateAttribute(name: string, attribute: MessageAttributeValue): void {
  const reason = (text: string) => invalidParameter(`MessageAttributes`, `the message attribute '${name}' ${text}`);
  if (name.length > 256 || !/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.') || name.endsWith('.'))
    throw reason('has an invalid name');
  if (!dataTypePattern.test(attribute.DataType)) throw reason(`has an invalid type '${attribute.DataType}'`);
  if (attribute.DataType.startsWith('Binary')) {
    if (attribute.BinaryValue === undefined) throw reason('must contain a non-empty binary value');
    return;
  }
  if (attribute.StringValue === undefined || attribute.StringValue === '') throw reason('must contain a non-empty message attribute value');
  if (attribute.DataType.startsWith('String.Array')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(attribute.StringValue);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed)) throw reason('must be a JSON array for type String.Array');
  } else if (attribute.DataType.startsWith('Number') && !Number.isFinite(Number(attribute.StringValue))) {
    throw reason(`has an invalid numeric value '${attribute.StringValue}'`);
  }
}
