/**
 * SNS delivery retry policies ("Amazon SNS message delivery retries" and "Creating an HTTP/S
 * delivery policy" in the SNS Developer Guide). A retry policy has four phases after the first
 * attempt: immediate retries, retries at the minimum delay, a backoff from the minimum to the maximum
 * delay, and retries at the maximum delay; `numRetries` bounds them all.
 *
 * HTTP/S endpoints follow the topic's `DeliveryPolicy` (`http.defaultHealthyRetryPolicy`), or the
 * subscription's (`healthyRetryPolicy`) unless the topic disables overrides; without either, AWS's
 * default: 3 retries, 20 s apart. AWS-managed endpoints (SQS here) use AWS's fixed policy:
 * 3 immediate, 2 at 1 s, 10 backing off from 1 s to 20 s, 100,000 at 20 s.
 */
import { invalidParameter } from './sns-errors.ts';

export type BackoffFunction = 'linear' | 'arithmetic' | 'geometric' | 'exponential';

export interface RetryPolicy {
  readonly minDelayTarget: number;
  readonly maxDelayTarget: number;
  readonly numRetries: number;
  readonly numNoDelayRetries: number;
  readonly numMinDelayRetries: number;
  readonly numMaxDelayRetries: number;
  readonly backoffFunction: BackoffFunction;
}

export const defaultHttpRetryPolicy: RetryPolicy = {
  minDelayTarget: 20,
  maxDelayTarget: 20,
  numRetries: 3,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  numMaxDelayRetries: 0,
  backoffFunction: 'linear',
};

export const awsManagedRetryPolicy: RetryPolicy = {
  minDelayTarget: 1,
  maxDelayTarget: 20,
  numRetries: 100_015,
  numNoDelayRetries: 3,
  numMinDelayRetries: 2,
  numMaxDelayRetries: 100_000,
  backoffFunction: 'exponential',
};

/** The topic attribute `EffectiveDeliveryPolicy` when none is set. */
export const defaultTopicDeliveryPolicy = {
  http: { defaultHealthyRetryPolicy: defaultHttpRetryPolicy, disableSubscriptionOverrides: false },
};

const backoffFunctions: ReadonlySet<string> = new Set(['linear', 'arithmetic', 'geometric', 'exponential']);

/**
 * Seconds to wait before retry number `retry` (1 for the first retry), or undefined once the
 * policy's retries are used up. The backoff curves are SNS's four names, shaped as their names say
 * (AWS does not publish the exact formulas).
 */
export function retryDelaySeconds(policy: RetryPolicy, retry: number): number | undefined {
  if (retry < 1 || retry > policy.numRetries) return undefined;
  const {
    numNoDelayRetries: noDelay,
    numMinDelayRetries: atMin,
    numMaxDelayRetries: atMax,
    minDelayTarget: min,
    maxDelayTarget: max,
  } = policy;
  if (retry <= noDelay) return 0;
  if (retry <= noDelay + atMin) return min;
  const backoffCount = policy.numRetries - noDelay - atMin - atMax;
  const step = retry - noDelay - atMin;
  if (step > backoffCount) return max;
  const fraction = step / backoffCount;
  switch (policy.backoffFunction) {
    case 'linear':
      return min + (max - min) * fraction;
    case 'arithmetic':
      return min + (max - min) * fraction * fraction;
    case 'geometric':
    case 'exponential':
      return min * Math.pow(max / Math.max(min, 1e-9), fraction);
  }
}

/** A `healthyRetryPolicy` object of a delivery policy, validated; SNS's field names and limits. */
export function parseRetryPolicy(value: unknown, attribute: string): RetryPolicy {
  if (value === undefined) return defaultHttpRetryPolicy;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidParameter(attribute, 'healthyRetryPolicy must be a JSON object');
  }
  const input = value as Record<string, unknown>;
  const count = (name: keyof RetryPolicy, fallback: number, max: number): number => {
    const field = input[name] ?? fallback;
    if (typeof field !== 'number' || !Number.isInteger(field) || field < 0 || field > max) {
      throw invalidParameter(attribute, `${name} must be an integer from 0 to ${max}; received ${JSON.stringify(field)}`);
    }
    return field;
  };
  const policy: RetryPolicy = {
    minDelayTarget: count('minDelayTarget', defaultHttpRetryPolicy.minDelayTarget, 3600),
    maxDelayTarget: count('maxDelayTarget', defaultHttpRetryPolicy.maxDelayTarget, 3600),
    numRetries: count('numRetries', defaultHttpRetryPolicy.numRetries, 100),
    numNoDelayRetries: count('numNoDelayRetries', 0, 100),
    numMinDelayRetries: count('numMinDelayRetries', 0, 100),
    numMaxDelayRetries: count('numMaxDelayRetries', 0, 100),
    backoffFunction: (input.backoffFunction ?? 'linear') as BackoffFunction,
  };
  if (!backoffFunctions.has(policy.backoffFunction)) {
    throw invalidParameter(attribute, `backoffFunction must be one of ${[...backoffFunctions].join(', ')}`);
  }
  if (policy.minDelayTarget > policy.maxDelayTarget) throw invalidParameter(attribute, 'minDelayTarget must not exceed maxDelayTarget');
  if (policy.numNoDelayRetries + policy.numMinDelayRetries + policy.numMaxDelayRetries > policy.numRetries) {
    throw invalidParameter(attribute, 'numNoDelayRetries + numMinDelayRetries + numMaxDelayRetries must not exceed numRetries');
  }
  return policy;
}

function parseJson(text: string, attribute: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidParameter(attribute, 'not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidParameter(attribute, 'must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** Validates a topic's DeliveryPolicy attribute (`{"http": {"defaultHealthyRetryPolicy": ...}}`). */
export function validateTopicDeliveryPolicy(text: string): void {
  const http = parseJson(text, 'DeliveryPolicy').http;
  if (http !== undefined) parseRetryPolicy((http as Record<string, unknown> | null)?.defaultHealthyRetryPolicy, 'DeliveryPolicy');
}

/** Validates a subscription's DeliveryPolicy attribute (`{"healthyRetryPolicy": ...}`). */
export function validateSubscriptionDeliveryPolicy(text: string): void {
  parseRetryPolicy(parseJson(text, 'DeliveryPolicy').healthyRetryPolicy, 'DeliveryPolicy');
}

/** The retry policy of an HTTP/S delivery: the subscription's unless the topic forbids overrides, else the topic's. */
export function effectiveHttpRetryPolicy(topicPolicy: string | undefined, subscriptionPolicy: string | undefined): RetryPolicy {
  const topic = topicPolicy ? (parseJson(topicPolicy, 'DeliveryPolicy').http as Record<string, unknown> | undefined) : undefined;
  if (subscriptionPolicy && topic?.disableSubscriptionOverrides !== true) {
    const own = parseJson(subscriptionPolicy, 'DeliveryPolicy').healthyRetryPolicy;
    if (own !== undefined) return parseRetryPolicy(own, 'DeliveryPolicy');
  }
  return parseRetryPolicy(topic?.defaultHealthyRetryPolicy, 'DeliveryPolicy');
}
