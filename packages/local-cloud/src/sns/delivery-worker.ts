/**
 * Sends pending deliveries and retries them (at least once): a delivery stays in the store until
 * its endpoint took it or its retry policy ran out, so a restart resumes every delivery not yet
 * recorded as done. HTTP/S: a 2xx answer is success; 5xx, 429, a network error or no answer within
 * `httpTimeoutMs` is retried; any other 4xx is a permanent failure, not retried (SNS's rules for
 * client-side errors). Deliveries to a subscription that was removed meanwhile are dropped.
 */
import type { Logger } from 'pino';
import { retryDelaySeconds } from './delivery-policy.ts';
import type { PendingDelivery, SnsStore } from './sns-store.ts';

export interface DeliveryWorkerOptions {
  readonly store: SnsStore;
  /** Whether the subscription still exists (deliveries to a removed one are dropped). */
  isSubscribed(subscriptionArn: string): boolean;
  /** Delivers into an SQS queue; rejects when the queue does not take it. */
  readonly deliverToSqs?: (queueArn: string, body: string) => Promise<void>;
  /** Milliseconds in one second of a retry policy: tests shrink the policy's 20 s delays. @default 1000 */
  readonly secondMs?: number;
  /** How long an HTTP endpoint may take to answer (SNS waits 15 s). @default 15000 */
  readonly httpTimeoutMs?: number;
  /** Deliveries in flight at once. @default 16 */
  readonly concurrency?: number;
  readonly log?: Logger;
}

export interface DeliveryWorker {
  /** Starts deliveries already stored (durably) by the caller. */
  schedule(deliveries: readonly PendingDelivery[]): void;
  /** Stops sending: timers are cleared and attempts in flight aborted (their deliveries stay stored). */
  close(): Promise<void>;
}

type Outcome = { kind: 'delivered' } | { kind: 'retry'; reason: string } | { kind: 'failed'; reason: string };

export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const secondMs = options.secondMs ?? 1000;
  const httpTimeoutMs = options.httpTimeoutMs ?? 15_000;
  const concurrency = options.concurrency ?? 16;
  const timers = new Set<NodeJS.Timeout>();
  const ready: PendingDelivery[] = [];
  const inFlight = new Set<Promise<void>>();
  const abort = new AbortController();
  let closed = false;

  function enqueue(delivery: PendingDelivery): void {
    if (closed) return;
    ready.push(delivery);
    pump();
  }

  function pump(): void {
    while (!closed && inFlight.size < concurrency && ready.length > 0) {
      const delivery = ready.shift()!;
      const attempt = run(delivery).catch((err: unknown) =>
        options.log?.error({ err, deliveryId: delivery.id }, 'sns delivery bookkeeping failed'),
      );
      inFlight.add(attempt);
      void attempt.finally(() => {
        inFlight.delete(attempt);
        pump();
      });
    }
  }

  async function run(delivery: PendingDelivery): Promise<void> {
    if (!options.isSubscribed(delivery.subscriptionArn)) {
      await options.store.commit({ deletedDeliveries: [delivery.id] }, false);
      return;
    }
    const outcome = await attempt(delivery);
    if (closed) return;
    const attempts = delivery.attempts + 1;
    const log = options.log?.child({ deliveryId: delivery.id, subscriptionArn: delivery.subscriptionArn, attempts });
    if (outcome.kind === 'delivered') {
      // Not fsync'ed: after a crash before the next flush, the delivery is sent again (at least once).
      await options.store.commit({ deletedDeliveries: [delivery.id] }, false);
      log?.debug('sns delivery done');
      return;
    }
    const delaySeconds = outcome.kind === 'retry' ? retryDelaySeconds(delivery.policy, attempts) : undefined;
    if (delaySeconds === undefined) {
      await options.store.commit({ deletedDeliveries: [delivery.id] }, false);
      log?.warn({ reason: outcome.reason }, 'sns delivery given up');
      return;
    }
    const next: PendingDelivery = { ...delivery, attempts };
    await options.store.commit({ deliveries: [next] }, false);
    log?.info({ reason: outcome.reason, retryInSeconds: delaySeconds }, 'sns delivery failed; will retry');
    const timer = setTimeout(() => {
      timers.delete(timer);
      enqueue(next);
    }, delaySeconds * secondMs);
    timers.add(timer);
  }

  async function attempt(delivery: PendingDelivery): Promise<Outcome> {
    const { target } = delivery;
    if (target.kind === 'sqs') {
      if (!options.deliverToSqs) return { kind: 'retry', reason: 'no SQS stand-in to deliver to' };
      try {
        await options.deliverToSqs(target.queueArn, target.body);
        return { kind: 'delivered' };
      } catch (err) {
        return { kind: 'retry', reason: (err as Error).message };
      }
    }
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: target.headers,
        body: target.body,
        redirect: 'manual',
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(httpTimeoutMs)]),
      });
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) return { kind: 'delivered' };
      const reason = `HTTP ${response.status}`;
      return response.status >= 500 || response.status === 429 ? { kind: 'retry', reason } : { kind: 'failed', reason };
    } catch (err) {
      return { kind: 'retry', reason: (err as Error).message };
    }
  }

  return {
    schedule(deliveries) {
      for (const delivery of deliveries) enqueue(delivery);
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      abort.abort();
      await Promise.all(inFlight);
    },
  };
}
