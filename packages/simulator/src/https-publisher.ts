/**
 * One simulated device over AWS IoT's HTTPS publish: each reading is a
 * `POST https://<endpoint>:8443/topics/<topic>?qos=1` with the device's certificate and key, on a
 * keep-alive agent (one TLS session a device, not one a reading), sent from the device's outbox
 * like an MQTT device's (`device-publisher.ts`: store-and-forward, the same counts).
 *
 * A reading leaves the outbox on 200. Throttled (429), not made durable (5xx) or unanswered (no
 * endpoint, a reset, 10 s of silence), it stays and is sent again: the device holds its sends for a
 * backoff (exponential, with jitter, reset by the next 200), and while requests find no endpoint it
 * is offline, its readings buffered, as an MQTT device without its connection. Any other answer
 * (403: the policy does not allow the publish) refuses the reading for good: it is dropped and
 * counted refused. HTTPS publish has no subscription, so such a device follows no shadow or job.
 */
import { Agent, request } from 'node:https';
import { iotHttpsPublishPath, isRetryableIotHttpsStatus } from '@fleet/core';
import { createDevicePublisher, type DeviceConnection, type DevicePublisher, type PublisherOptions } from './device-publisher.ts';
import { PublishRefusedError, type DeviceTransport } from './device-transport.ts';
import type { DeviceSignals } from './signals.ts';

export interface HttpsBackoff {
  /** First hold after a failure; doubled at each failure in a row, with up to 50 % jitter. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

const defaultBackoff: HttpsBackoff = { baseDelayMs: 200, maxDelayMs: 5000 };

/** How long a request may go unanswered before it counts as no answer. */
const requestTimeoutMs = 10_000;

export function createHttpsDevice(
  connection: DeviceConnection,
  signals: DeviceSignals,
  options: PublisherOptions & { readonly backoff?: HttpsBackoff } = {},
): DevicePublisher {
  const transport = createHttpsTransport(connection, options.window ?? 10, options.backoff ?? defaultBackoff);
  return createDevicePublisher(connection.deviceId, transport, signals, options);
}

function createHttpsTransport(connection: DeviceConnection, window: number, backoff: HttpsBackoff): DeviceTransport {
  const agent = new Agent({
    keepAlive: true,
    maxSockets: window,
    ...(connection.ca === undefined ? {} : { ca: connection.ca }),
    cert: connection.cert,
    key: connection.key,
  });
  const listeners: (() => void)[] = [];
  let failuresInARow = 0;
  let holding: NodeJS.Timeout | undefined;

  /** Sends nothing for a while after a failure; the other failures of the same moment do not lengthen it. */
  const hold = () => {
    if (holding) return;
    failuresInARow += 1;
    const delay = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** (failuresInARow - 1)) * (1 + Math.random() * 0.5);
    holding = setTimeout(() => {
      holding = undefined;
      for (const listener of listeners) listener();
    }, delay);
  };

  /** One POST: its status, or 0 when no answer came (refused, reset, timed out). */
  const post = (topic: string, payload: string) =>
    new Promise<number>((resolve) => {
      const req = request(
        {
          host: connection.host,
          port: connection.port,
          method: 'POST',
          path: iotHttpsPublishPath(topic, 1),
          agent,
          timeout: requestTimeoutMs,
        },
        (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode ?? 0));
          res.once('error', () => resolve(0));
        },
      );
      req.once('timeout', () => req.destroy(new Error(`no answer within ${requestTimeoutMs} ms`)));
      req.once('error', () => resolve(0));
      req.setHeader('content-type', 'application/json');
      req.end(payload);
    });

  return {
    get connected() {
      return holding === undefined;
    },
    onConnect: (listener) => void listeners.push(listener),
    async publish(topic, payload) {
      const status = await post(topic, payload);
      if (status === 200) {
        failuresInARow = 0;
        return;
      }
      if (status !== 0 && !isRetryableIotHttpsStatus(status)) {
        throw new PublishRefusedError(status, `HTTPS publish to ${topic} answered ${status}`);
      }
      hold();
      throw new Error(`HTTPS publish to ${topic} answered ${status || 'nothing'}`);
    },
    async close() {
      clearTimeout(holding);
      agent.destroy();
    },
  };
}
