/**
 * One simulated device over AWS IoT's HTTPS publish: each reading is a
 * `POST https://<endpoint>:8443/topics/<topic>?qos=1` with the device's certificate and key, on a
 * keep-alive agent (one TLS session a device, not one a reading). A reading counts as acknowledged
 * on 200. Throttled (429) or not accepted (5xx, or no answer) it is sent again with exponential
 * backoff and jitter, up to `maxAttempts`; any other answer (403: the policy refuses it) fails it.
 * HTTPS publish has no subscription, so such a device follows no shadow or job.
 */
import { Agent, request } from 'node:https';
import { iotHttpsPublishPath, isRetryableIotHttpsStatus } from '@fleet/core';
import type { DeviceConnection } from './device-publisher.ts';
import { createReadingLoop, type ReadingLoop } from './reading-loop.ts';
import type { DeviceSignals } from './signals.ts';

export interface HttpsDevicePublisher extends ReadingLoop {
  readonly deviceId: string;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  /** First wait; doubled at each retry, with up to 50 % jitter. */
  readonly baseDelayMs: number;
}

const defaultRetry: RetryPolicy = { maxAttempts: 6, baseDelayMs: 200 };

/** Raised for an answer that is not 200 (after the retries, for a retryable one). */
export class HttpsPublishError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpsPublishError';
  }
}

export function createHttpsDevice(
  connection: DeviceConnection,
  signals: DeviceSignals,
  options: { readonly window?: number; readonly retry?: RetryPolicy } = {},
): HttpsDevicePublisher {
  const window = options.window ?? 10;
  const retry = options.retry ?? defaultRetry;
  const agent = new Agent({
    keepAlive: true,
    maxSockets: window,
    ...(connection.ca === undefined ? {} : { ca: connection.ca }),
    cert: connection.cert,
    key: connection.key,
  });

  /** One POST: its status, or 0 when no answer came (refused, reset). */
  const post = (topic: string, payload: string) =>
    new Promise<number>((resolve) => {
      const req = request(
        { host: connection.host, port: connection.port, method: 'POST', path: iotHttpsPublishPath(topic, 1), agent, timeout: 10_000 },
        (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.once('timeout', () => req.destroy(new Error('no answer within 10 s')));
      req.once('error', () => resolve(0));
      req.setHeader('content-type', 'application/json');
      req.end(payload);
    });

  const publish = async (topic: string, payload: string): Promise<void> => {
    for (let attempt = 1; ; attempt += 1) {
      const status = await post(topic, payload);
      if (status === 200) return;
      const retryable = status === 0 || isRetryableIotHttpsStatus(status);
      if (!retryable || attempt >= retry.maxAttempts) {
        throw new HttpsPublishError(status, `HTTPS publish to ${topic} answered ${status || 'nothing'} after ${attempt} attempt(s)`);
      }
      const delay = retry.baseDelayMs * 2 ** (attempt - 1) * (1 + Math.random() * 0.5);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  };

  const loop = createReadingLoop({ deviceId: connection.deviceId, signals, window, publish });
  return {
    deviceId: connection.deviceId,
    get counters() {
      return loop.counters;
    },
    setRate: (rate) => loop.setRate(rate),
    get rate() {
      return loop.rate;
    },
    run: (runOptions) => loop.run(runOptions),
    async stop(timeoutMs = 5000) {
      await loop.stop(timeoutMs);
      agent.destroy();
    },
  };
}
