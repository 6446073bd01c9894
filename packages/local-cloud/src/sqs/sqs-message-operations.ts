/**
 * The message operations of the SQS JSON protocol: SendMessage(Batch), ReceiveMessage,
 * DeleteMessage(Batch) and ChangeMessageVisibility(Batch), with the input validation, batch rules
 * and output shapes (system and message attributes, MD5s) of the SQS API Reference; the queue
 * semantics are the engine's (`operations/`).
 */
import { AwsError, type JsonOperation } from '../aws-endpoint/index.ts';
import { accountId, queueArn } from './sqs-attributes.ts';
import type { ReceivedMessage, SendEntry, SentMessage, SqsEngine } from './sqs-engine.ts';
import { batchFailure, invalidParameter, sqsError } from './sqs-errors.ts';
import { optionalInteger, requiredString, stringList, type Input } from './sqs-input.ts';
import type { MessageAttributeValue } from './sqs-md5.ts';
import { queueName } from './sqs-queue-operations.ts';

export function messageOperations(engine: SqsEngine): Record<string, JsonOperation> {
  return {
    async SendMessage(input) {
      const name = queueName(input);
      const [result] = await engine.send(name, [parseSendEntry(input)]);
      if (!result) throw new Error('send returned no result for one entry');
      if (result instanceof AwsError) throw result;
      return {
        MessageId: result.messageId,
        MD5OfMessageBody: result.md5Body,
        ...(result.md5Attributes ? { MD5OfMessageAttributes: result.md5Attributes } : {}),
      };
    },

    async SendMessageBatch(input) {
      const name = queueName(input);
      const entries = batchEntries(input);
      const totalSize = entries.reduce((sum, entry) => sum + Buffer.byteLength(String(entry.MessageBody ?? '')), 0);
      if (totalSize > 262_144) {
        throw sqsError('BatchRequestTooLong', `Batch requests cannot be longer than 262144 bytes. You have sent ${totalSize} bytes.`);
      }
      const results = await sendEach(engine, name, entries);
      const failed: ReturnType<typeof batchFailure>[] = [];
      const successful: Record<string, string>[] = [];
      results.forEach((result, i) => {
        const id = String(entries[i]!.Id);
        if (result instanceof AwsError) failed.push(batchFailure(id, result));
        else
          successful.push({
            Id: id,
            MessageId: result.messageId,
            MD5OfMessageBody: result.md5Body,
            ...(result.md5Attributes ? { MD5OfMessageAttributes: result.md5Attributes } : {}),
          });
      });
      return { Successful: successful, Failed: failed };
    },

    async ReceiveMessage(input) {
      const name = queueName(input);
      const max = optionalInteger(input, 'MaxNumberOfMessages', 1, 10) ?? 1;
      const waitSeconds = optionalInteger(input, 'WaitTimeSeconds', 0, 20);
      const visibilityTimeoutSeconds = optionalInteger(input, 'VisibilityTimeout', 0, 43_200);
      const received = await engine.receive(name, {
        max,
        ...(waitSeconds !== undefined ? { waitSeconds } : {}),
        ...(visibilityTimeoutSeconds !== undefined ? { visibilityTimeoutSeconds } : {}),
      });
      const systemNames = new Set([...stringList(input.AttributeNames), ...stringList(input.MessageSystemAttributeNames)]);
      const attributeNames = stringList(input.MessageAttributeNames);
      return received.length > 0 ? { Messages: received.map((m) => outputMessage(m, systemNames, attributeNames)) } : {};
    },

    async DeleteMessage(input) {
      await engine.deleteMessages(queueName(input), [requiredString(input, 'ReceiptHandle')]);
      return {};
    },

    async DeleteMessageBatch(input) {
      const name = queueName(input);
      const entries = batchEntries(input);
      const failed: ReturnType<typeof batchFailure>[] = [];
      const valid: { id: string; handle: string }[] = [];
      for (const entry of entries) {
        try {
          const handle = requiredString(entry, 'ReceiptHandle');
          engine.checkReceiptHandle(name, handle);
          valid.push({ id: String(entry.Id), handle });
        } catch (err) {
          failed.push(batchFailure(String(entry.Id), err));
        }
      }
      await engine.deleteMessages(
        name,
        valid.map((v) => v.handle),
      );
      return { Successful: valid.map((v) => ({ Id: v.id })), Failed: failed };
    },

    async ChangeMessageVisibility(input) {
      const timeout = optionalInteger(input, 'VisibilityTimeout', 0, 43_200);
      if (timeout === undefined) throw sqsError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
      engine.changeVisibility(queueName(input), requiredString(input, 'ReceiptHandle'), timeout);
      return {};
    },

    async ChangeMessageVisibilityBatch(input) {
      const name = queueName(input);
      const successful: { Id: string }[] = [];
      const failed: ReturnType<typeof batchFailure>[] = [];
      for (const entry of batchEntries(input)) {
        try {
          const timeout = optionalInteger(entry, 'VisibilityTimeout', 0, 43_200) ?? 0;
          engine.changeVisibility(name, requiredString(entry, 'ReceiptHandle'), timeout);
          successful.push({ Id: String(entry.Id) });
        } catch (err) {
          failed.push(batchFailure(String(entry.Id), err));
        }
      }
      return { Successful: successful, Failed: failed };
    },
  };
}

function outputMessage(received: ReceivedMessage, systemNames: ReadonlySet<string>, attributeNames: readonly string[]) {
  const { ref, message, receiptHandle } = received;
  const all = systemNames.has('All');
  const system: Record<string, string> = {};
  const want = (name: string) => all || systemNames.has(name);
  if (want('SenderId')) system.SenderId = accountId;
  if (want('SentTimestamp')) system.SentTimestamp = String(ref.sentTimestamp);
  if (want('ApproximateReceiveCount')) system.ApproximateReceiveCount = String(ref.receiveCount);
  if (want('ApproximateFirstReceiveTimestamp')) system.ApproximateFirstReceiveTimestamp = String(ref.firstReceiveTimestamp ?? Date.now());
  if (want('DeadLetterQueueSourceArn') && message.deadLetterSource !== undefined)
    system.DeadLetterQueueSourceArn = queueArn(message.deadLetterSource);
  const attributes = selectAttributes(message.attributes, attributeNames);
  return {
    MessageId: message.id,
    ReceiptHandle: receiptHandle,
    MD5OfBody: message.md5Body,
    Body: message.body,
    ...(Object.keys(system).length > 0 ? { Attributes: system } : {}),
    ...(attributes && message.md5Attributes ? { MessageAttributes: attributes, MD5OfMessageAttributes: message.md5Attributes } : {}),
  };
}

/** MessageAttributeNames: `All` or `.*` for every attribute, `prefix.*` for a prefix, else exact names. */
function selectAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
  names: readonly string[],
): Record<string, MessageAttributeValue> | undefined {
  if (!attributes || names.length === 0) return undefined;
  const selected: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const match = names.some((wanted) =>
      wanted === 'All' || wanted === '.*' ? true : wanted.endsWith('.*') ? name.startsWith(wanted.slice(0, -1)) : wanted === name,
    );
    if (match) selected[name] = value;
  }
  return Object.keys(selected).length > 0 ? selected : undefined;
}

// Characters SQS accepts in a body: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
const invalidBodyCharacter = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * Validates each entry as SendMessage does and sends the valid ones in one durable write: one result
 * per entry, in order, the sent message or why that entry was refused. SendMessageBatch and the
 * rules engine's in-process sends (`SqsStandIn.sendBatch`) both use it.
 */
export async function sendEach(engine: SqsEngine, name: string, entries: readonly Input[]): Promise<(SentMessage | AwsError)[]> {
  const results: (SentMessage | AwsError | undefined)[] = [];
  const valid: { index: number; entry: SendEntry }[] = [];
  entries.forEach((input, index) => {
    try {
      valid.push({ index, entry: parseSendEntry(input) });
      results.push(undefined);
    } catch (err) {
      // As batchFailure reports anything else: InternalError with the message.
      results.push(err instanceof AwsError ? err : new AwsError('InternalError', err instanceof Error ? err.message : String(err), 500));
    }
  });
  if (valid.length > 0) {
    const sent = await engine.send(
      name,
      valid.map((v) => v.entry),
    );
    sent.forEach((result, i) => (results[valid[i]!.index] = result));
  }
  return results as (SentMessage | AwsError)[];
}

/** A send entry from SendMessage's fields, validated as SQS does. */
function parseSendEntry(input: Input): SendEntry {
  const body = input.MessageBody;
  if (typeof body !== 'string' || body.length === 0)
    throw sqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
  if (invalidBodyCharacter.test(body)) {
    throw sqsError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  }
  const delaySeconds = optionalInteger(input, 'DelaySeconds', 0, 900);
  const attributes = input.MessageAttributes as Record<string, MessageAttributeValue> | undefined;
  if (attributes) {
    for (const [name, value] of Object.entries(attributes)) {
      if (typeof value?.DataType !== 'string' || (value.StringValue === undefined && value.BinaryValue === undefined)) {
        throw invalidParameter(`The message attribute '${name}' must contain a non-empty value of type '${value?.DataType ?? 'String'}'.`);
      }
    }
  }
  return { body, ...(attributes ? { attributes } : {}), ...(delaySeconds !== undefined ? { delaySeconds } : {}) };
}

function batchEntries(input: Input): Input[] {
  const entries = Array.isArray(input.Entries) ? (input.Entries as Input[]) : [];
  if (entries.length === 0)
    throw sqsError('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
  if (entries.length > 10)
    throw sqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
  const ids = new Set<string>();
  for (const entry of entries) {
    const id = entry.Id;
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(id)) {
      throw sqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (ids.has(id)) throw sqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    ids.add(id);
  }
  return entries;
}
