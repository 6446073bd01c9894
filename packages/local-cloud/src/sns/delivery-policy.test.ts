/** The retry schedule of SNS delivery policies ("Amazon SNS message delivery retries"). */
import { describe, expect, it } from 'vitest';
import {
  awsManagedRetryPolicy,
  defaultHttpRetryPolicy,
  effectiveHttpRetryPolicy,
  parseRetryPolicy,
  retryDelaySeconds,
} from './delivery-policy.ts';

const schedule = (policy: Parameters<typeof retryDelaySeconds>[0], count: number) =>
  Array.from({ length: count }, (_, i) => retryDelaySeconds(policy, i + 1));

describe('SNS delivery retry policies', () => {
  it("follows AWS's HTTP default: 3 retries 20 s apart, then none", () => {
    expect(schedule(defaultHttpRetryPolicy, 4)).toEqual([20, 20, 20, undefined]);
  });

  it('runs the four phases in order: immediate, minimum delay, backoff, maximum delay', () => {
    const policy = parseRetryPolicy(
      {
        numRetries: 8,
        numNoDelayRetries: 2,
        numMinDelayRetries: 1,
        numMaxDelayRetries: 2,
        minDelayTarget: 1,
        maxDelayTarget: 10,
        backoffFunction: 'linear',
      },
      'DeliveryPolicy',
    );
    expect(schedule(policy, 9)).toEqual([0, 0, 1, 4, 7, 10, 10, 10, undefined]);
  });

  it('retries AWS-managed endpoints (SQS) 3 times at once, then from 1 s up to 20 s', () => {
    expect(schedule(awsManagedRetryPolicy, 5)).toEqual([0, 0, 0, 1, 1]);
    expect(retryDelaySeconds(awsManagedRetryPolicy, 15)).toBeCloseTo(20);
    expect(retryDelaySeconds(awsManagedRetryPolicy, 100_015)).toBe(20);
  });

  it("uses the subscription's policy unless the topic disables overrides", () => {
    const topic = JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 1 } } });
    const locked = JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 1 }, disableSubscriptionOverrides: true } });
    const own = JSON.stringify({ healthyRetryPolicy: { numRetries: 7 } });
    expect(effectiveHttpRetryPolicy(topic, own).numRetries).toBe(7);
    expect(effectiveHttpRetryPolicy(locked, own).numRetries).toBe(1);
    expect(effectiveHttpRetryPolicy(undefined, undefined)).toEqual(defaultHttpRetryPolicy);
  });

  it('refuses inconsistent policies', () => {
    expect(() => parseRetryPolicy({ minDelayTarget: 30, maxDelayTarget: 10 }, 'DeliveryPolicy')).toThrow(/minDelayTarget/);
    expect(() => parseRetryPolicy({ numRetries: 2, numNoDelayRetries: 3 }, 'DeliveryPolicy')).toThrow(/must not exceed numRetries/);
    expect(() => parseRetryPolicy({ backoffFunction: 'cubic' }, 'DeliveryPolicy')).toThrow(/backoffFunction/);
  });
});
