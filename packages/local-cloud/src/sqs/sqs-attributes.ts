/**
 * Queue attributes: defaults, limits and validation as documented for CreateQueue /
 * SetQueueAttributes (SQS API Reference), plus the read-only attributes GetQueueAttributes adds.
 */
import { sqsError } from './sqs-errors.ts';

export const accountId = '000000000000';
export const region = 'us-east-1';

export const queueArn = (name: string) => `arn:aws:sqs:${region}:${accountId}:${name}`;

export interface QueueConfig {
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly receiveWaitSeconds: number;
  readonly delaySeconds: number;
  readonly maximumMessageSize: number;
  readonly redrive?: { readonly deadLetterQueue: string; readonly maxReceiveCount: number };
}

/** [min, max, default] of the numeric attributes. */
const numeric: Readonly<Record<string, readonly [number, number, number]>> = {
  VisibilityTimeout: [0, 43_200, 30],
  MessageRetentionPeriod: [60, 1_209_600, 345_600],
  ReceiveMessageWaitTimeSeconds: [0, 20, 0],
  DelaySeconds: [0, 900, 0],
  MaximumMessageSize: [1024, 262_144, 262_144],
};

/** Accepted and stored as given; they change nothing locally (no encryption, no IAM). */
const passive = new Set(['Policy', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'SqsManagedSseEnabled', 'RedriveAllowPolicy']);

export const readOnlyAttributes = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

/** Validates settable attributes; throws InvalidAttributeName / InvalidAttributeValue like SQS. */
export function validateAttributes(attributes: Readonly<Record<string, unknown>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, raw] of Object.entries(attributes)) {
    if (typeof raw !== 'string') throw sqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}: expected a string.`);
    const range = numeric[name];
    if (range) {
      const value = Number(raw);
      if (!/^\d+$/.test(raw) || value < range[0] || value > range[1]) {
        throw sqsError(
          'InvalidAttributeValue',
          `Invalid value for the parameter ${name}: "${raw}" is not an integer from ${range[0]} to ${range[1]}.`,
        );
      }
      result[name] = String(value);
    } else if (name === 'RedrivePolicy') {
      if (raw !== '') parseRedrivePolicy(raw);
      result[name] = raw;
    } else if (name === 'FifoQueue' || name === 'ContentBasedDeduplication') {
      if (raw === 'true')
        throw sqsError('InvalidAttributeValue', `The local cloud serves standard queues only; ${name}=true is not supported.`);
    } else if (passive.has(name)) {
      result[name] = raw;
    } else {
      throw sqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
  }
  return result;
}

function parseRedrivePolicy(raw: string): { deadLetterQueue: string; maxReceiveCount: number } {
  let policy: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  try {
    policy = JSON.parse(raw) as typeof policy;
  } catch {
    throw sqsError('InvalidAttributeValue', `Invalid value for the parameter RedrivePolicy. Reason: ${raw} is not valid JSON.`);
  }
  const arn = policy.deadLetterTargetArn;
  const count = Number(policy.maxReceiveCount);
  if (typeof arn !== 'string' || !arn.startsWith('arn:aws:sqs:') || !Number.isInteger(count) || count < 1 || count > 1000) {
    throw sqsError(
      'InvalidAttributeValue',
      `Invalid value for the parameter RedrivePolicy. Reason: expected {"deadLetterTargetArn":"arn:aws:sqs:...","maxReceiveCount":1..1000}, received ${raw}.`,
    );
  }
  return { deadLetterQueue: arn.slice(arn.lastIndexOf(':') + 1), maxReceiveCount: count };
}

export function queueConfig(attributes: Readonly<Record<string, string>>): QueueConfig {
  const number = (name: string) => (attributes[name] !== undefined ? Number(attributes[name]) : numeric[name]![2]);
  const redrive = attributes.RedrivePolicy ? parseRedrivePolicy(attributes.RedrivePolicy) : undefined;
  return {
    visibilityTimeoutSeconds: number('VisibilityTimeout'),
    retentionSeconds: number('MessageRetentionPeriod'),
    receiveWaitSeconds: number('ReceiveMessageWaitTimeSeconds'),
    delaySeconds: number('DelaySeconds'),
    maximumMessageSize: number('MaximumMessageSize'),
    ...(redrive ? { redrive } : {}),
  };
}

/** Configurable attributes as GetQueueAttributes reports them (defaults filled in). */
export function reportedAttributes(attributes: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, range] of Object.entries(numeric)) result[name] = attributes[name] ?? String(range[2]);
  for (const [name, value] of Object.entries(attributes)) if (value !== '') result[name] = value;
  return result;
}

export const queueNamePattern = /^[A-Za-z0-9_-]{1,80}$/;
