/**
 * The publishing side of one simulated device, whatever carries its readings (MQTT QoS 1 or HTTPS
 * publish): readings at a steady rate with jitter, counted sent / acknowledged / failed, with flow
 * control: at most `window` unacknowledged readings, so a slow endpoint slows the device instead
 * of piling up readings in memory.
 */
import { topics } from '@fleet/core';
import type { DeviceSignals } from './signals.ts';

export interface PublishCounters {
  sent: number;
  acked: number;
  failed: number;
}

export interface ReadingLoop {
  readonly counters: Readonly<PublishCounters>;
  /** Readings per second from now on (a running `run` follows it). */
  setRate(rate: number): void;
  readonly rate: number;
  /** Publishes `count` readings (or until stopped), `rate` per second. */
  run(options: { rate: number; count?: number; jitter?: number; startSeq?: number }): Promise<void>;
  /** Stops publishing; resolves after in-flight publishes are acknowledged (or `timeoutMs` passed). */
  stop(timeoutMs?: number): Promise<void>;
}

/** How often a long wait between two readings looks at the rate again. */
const rateCheckMs = 250;

export function createReadingLoop(options: {
  readonly deviceId: string;
  readonly signals: DeviceSignals;
  /** Resolves once the reading is acknowledged (PUBACK, HTTP 200); rejects when it is not. */
  readonly publish: (topic: string, payload: string) => Promise<void>;
  /** While set, the device is away (a reboot) and readings wait. */
  readonly offline?: () => Promise<void> | undefined;
  readonly window?: number;
}): ReadingLoop {
  const window = options.window ?? 10;
  const counters: PublishCounters = { sent: 0, acked: 0, failed: 0 };
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  /** Set by `setRate` (e.g. a configuration applied at connection) before `run`, it wins over run's rate. */
  let currentRate: number | undefined;
  const topic = topics.telemetry(options.deviceId);

  const publishOne = (seq: number) => {
    const ts = Date.now();
    const payload = JSON.stringify({ ts, seq, ...options.signals.next(ts) });
    counters.sent += 1;
    const p = options.publish(topic, payload).then(
      () => {
        counters.acked += 1;
      },
      () => {
        counters.failed += 1;
      },
    );
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  return {
    counters,
    setRate(rate) {
      currentRate = rate;
    },
    get rate() {
      return currentRate ?? 1;
    },
    async run({ rate, count, jitter = 0.1, startSeq = 1 }) {
      currentRate ??= rate;
      let seq = startSeq;
      let next = Date.now();
      while (!stopped && (count === undefined || seq < startSeq + count)) {
        while (inFlight.size >= window) await Promise.race(inFlight);
        const away = options.offline?.();
        if (away) await away;
        if (stopped) break;
        publishOne(seq++);
        // From the later of the plan and now: after a stall (a busy machine, a slow PUBACK) the device
        // does not catch up in a burst, which could pass the broker's 100 publishes/s per connection.
        const from = Math.max(next, Date.now());
        const spread = 1 + (Math.random() * 2 - 1) * jitter;
        next = from + (1000 / (currentRate ?? rate)) * spread;
        // In short steps, so a new rate (a configuration change) applies to the wait under way.
        for (let wait = next - Date.now(); wait > 0 && !stopped; wait = next - Date.now()) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(wait, rateCheckMs)));
          next = from + (1000 / (currentRate ?? rate)) * spread;
        }
      }
      await Promise.all(inFlight);
    },
    async stop(timeoutMs = 5000) {
      stopped = true;
      await Promise.race([Promise.all(inFlight), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
    },
  };
}
