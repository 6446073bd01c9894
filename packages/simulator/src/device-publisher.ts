/**
 * One simulated device's publishing, whatever carries it (`device-transport.ts`: MQTT QoS 1 or
 * HTTPS publish), through its outbox (store-and-forward, `outbox.ts`).
 *
 * Two loops share the outbox. The producer makes a reading at a steady rate with jitter, whether
 * the device is connected or not, each with its own `ts` and `seq`, and adds it to the outbox. The
 * sender publishes the oldest reading waiting there whenever the transport is connected, keeps at
 * most `window` publishes unacknowledged (flow control: a slow endpoint slows the device instead of
 * piling up messages) and at most `maxSendRate` per second (the connection's quota, shared with the
 * shadow and jobs traffic), and removes a reading from the outbox on its acknowledgement. After a
 * loss of the connection, the backlog therefore leaves first, oldest first, then the live readings.
 */
import type { TlsEndpoint } from './mqtts-options.ts';
import { iotQuotas, topics } from '@fleet/core';
import { PublishRefusedError, type DeviceTransport } from './device-transport.ts';
import { openOutbox, type Outbox, type OutboxEntry } from './outbox.ts';
import type { DeviceSignals } from './signals.ts';

/** A device's endpoint and its certificate and key. */
export interface DeviceConnection extends TlsEndpoint {
  readonly deviceId: string;
}

export interface PublishCounters {
  /** Readings this run produced. */
  published: number;
  /** Readings an earlier run left in the outbox, found when this one began. */
  carriedOver: number;
  /** Readings IoT Core acknowledged (PUBACK, HTTP 200), carried-over ones included. */
  acked: number;
  /** Readings that left the outbox unacknowledged: the oldest of a full outbox, and the refused ones. */
  dropped: number;
  /** Of `dropped`, the readings IoT Core refused for good (HTTPS 403): sending them again cannot help. */
  refused: number;
  /** Publishes that failed (no answer, throttled, the connection closed first); their readings were sent again. */
  failed: number;
}

/** Buffered readings of a whole fleet: now, and the most at any moment of the run. */
export interface BufferGauge {
  now: number;
  max: number;
}

export interface PublisherOptions {
  /** @default an outbox in memory alone, holding `window` readings */
  readonly outbox?: Outbox;
  /**
   * True: readings keep being produced while the device cannot send, and wait in the outbox (its
   * bound drops the oldest). False (`--no-buffer`): the producer waits while `window` readings are
   * unacknowledged, as a device without storage would. @default false
   */
  readonly bufferOffline?: boolean;
  /** Publishes per second at most, the backlog's and the live readings' together. @default defaultSendRate */
  readonly maxSendRate?: number;
  /** Unacknowledged publishes at most. @default 10 */
  readonly window?: number;
  readonly gauge?: BufferGauge;
}

export interface DevicePublisher {
  readonly deviceId: string;
  readonly counters: Readonly<PublishCounters>;
  /** Readings waiting in the outbox now. */
  readonly buffered: number;
  /** `ts` and `seq` of every reading acknowledged in this run, as `<ts>_<seq>`. */
  readonly acknowledged: ReadonlySet<string>;
  /** Readings per second from now on (a running `run` follows it). */
  setRate(rate: number): void;
  readonly rate: number;
  /**
   * Produces `count` readings (or until stopped), `rate` per second, and resolves once the outbox is
   * empty (or the run is stopped: what is left stays in the outbox for the next run).
   */
  run(options: { rate: number; count?: number; jitter?: number; startSeq?: number }): Promise<void>;
  /** Stops; resolves after in-flight publishes are acknowledged (or `timeoutMs` passed) and the transport closed. */
  stop(timeoutMs?: number): Promise<void>;
}

/** A publisher whose transport can be taken away for a while (an MQTT device's reboot). */
export interface InterruptiblePublisher extends DevicePublisher {
  /**
   * Holds the sender, lets in-flight publishes settle (2 s at most), runs `outage` (which ends the
   * transport and brings it back), then sends again; publishes still unanswered go back to waiting.
   */
  interrupt(outage: () => Promise<void>): Promise<void>;
}

/** A device's publishes per second: the connection's quota, less a fifth for its shadow and jobs messages. */
export const defaultSendRate = iotQuotas.publishesPerSecondPerConnection * 0.8;

/** How often a long wait between two readings looks at the rate again. */
const rateCheckMs = 250;

export const readingKey = (r: { readonly ts: number; readonly seq: number }) => `${r.ts}_${r.seq}`;

export function createDevicePublisher(
  deviceId: string,
  transport: DeviceTransport,
  signals: DeviceSignals,
  options: PublisherOptions = {},
): InterruptiblePublisher {
  const window = Math.max(1, options.window ?? 10);
  const { outbox = openOutbox(undefined, { maxBuffered: window }), bufferOffline = false, gauge = { now: 0, max: 0 } } = options;
  const sendGapMs = 1000 / (options.maxSendRate ?? defaultSendRate);
  const counters: PublishCounters = { published: 0, carriedOver: outbox.size, acked: 0, dropped: 0, refused: 0, failed: 0 };
  const acknowledged = new Set<string>();
  const topic = topics.telemetry(deviceId);
  /** Publishes awaiting their acknowledgement, by outbox id; a new generation forgets them (see `forgetInFlight`). */
  const inFlight = new Map<number, Promise<void>>();
  let generation = 0;
  let stopped = false;
  /** Set once the outbox is closed: a late acknowledgement leaves its reading buffered (the next run sends it, stored once). */
  let closed = false;
  let producing = false;
  /** Set while `interrupt` has the device away on purpose. */
  let away = false;
  /** Set by `setRate` (e.g. a configuration applied at connection) before `run`, it wins over run's rate. */
  let currentRate: number | undefined;

  // Whatever changes what a loop waits for (a reading, an acknowledgement, a connection, the stop) wakes them.
  let wake = () => {};
  let changed = new Promise<void>((resolve) => (wake = resolve));
  const poke = () => {
    wake();
    changed = new Promise<void>((resolve) => (wake = resolve));
  };
  transport.onConnect(poke);

  const gaugeChange = (delta: number) => {
    gauge.now += delta;
    gauge.max = Math.max(gauge.max, gauge.now);
  };
  gaugeChange(outbox.size);

  const send = (entry: OutboxEntry) => {
    const sentIn = generation;
    const p = transport.publish(topic, JSON.stringify(entry.reading)).then(
      () => {
        // An acknowledgement may come after its generation was forgotten: it still counts, once.
        if (closed || !outbox.ack(entry.id)) return;
        counters.acked += 1;
        acknowledged.add(readingKey(entry.reading));
        gaugeChange(-1);
      },
      (err: unknown) => {
        if (err instanceof PublishRefusedError && !closed && outbox.drop(entry.id)) {
          counters.dropped += 1;
          counters.refused += 1;
          gaugeChange(-1);
          return;
        }
        if (sentIn !== generation) return;
        counters.failed += 1;
        outbox.release(entry.id);
      },
    );
    const tracked = p.finally(() => {
      if (inFlight.get(entry.id) === tracked) inFlight.delete(entry.id);
      poke();
    });
    inFlight.set(entry.id, tracked);
  };

  /**
   * A transport that was ended (a reboot, the stop) may never answer its unacknowledged publishes
   * (an MQTT client starts over with a new message store): their readings go back to waiting, oldest first.
   */
  const forgetInFlight = () => {
    generation += 1;
    for (const id of inFlight.keys()) outbox.release(id);
    inFlight.clear();
    poke();
  };

  const settleInFlight = (timeoutMs: number) =>
    Promise.race([Promise.all(inFlight.values()), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);

  const sendLoop = async () => {
    let nextSendAt = 0;
    while (!stopped && (producing || outbox.size > 0)) {
      if (away || !transport.connected || inFlight.size >= window) {
        await changed;
        continue;
      }
      const wait = nextSendAt - Date.now();
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
      const entry = outbox.take();
      if (!entry) {
        // Everything waiting is in flight: the next acknowledgement or reading wakes the loop.
        await changed;
        continue;
      }
      nextSendAt = Date.now() + sendGapMs;
      send(entry);
    }
  };

  const produceLoop = async ({ rate, count, jitter = 0.1, startSeq = 1 }: Parameters<DevicePublisher['run']>[0]) => {
    let seq = startSeq;
    let next = Date.now();
    while (!stopped && (count === undefined || seq < startSeq + count)) {
      while (!bufferOffline && outbox.size >= window && !stopped) await changed;
      if (stopped) break;
      const ts = Date.now();
      const { dropped } = outbox.add({ ts, seq: seq++, ...signals.next(ts) });
      counters.published += 1;
      counters.dropped += dropped.length;
      gaugeChange(1 - dropped.length);
      poke();
      // From the later of the plan and now: after a stall (a busy machine) the device does not catch up in a burst.
      const from = Math.max(next, Date.now());
      const spread = 1 + (Math.random() * 2 - 1) * jitter;
      next = from + (1000 / (currentRate ?? rate)) * spread;
      // In short steps, so a new rate (a configuration change) applies to the wait under way.
      for (let wait = next - Date.now(); wait > 0 && !stopped; wait = next - Date.now()) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(wait, rateCheckMs)));
        next = from + (1000 / (currentRate ?? rate)) * spread;
      }
    }
  };

  let stopping: Promise<void> | undefined;
  return {
    deviceId,
    counters,
    acknowledged,
    get buffered() {
      return outbox.size;
    },
    setRate(rate) {
      currentRate = rate;
    },
    get rate() {
      return currentRate ?? 1;
    },
    async interrupt(outage) {
      away = true;
      try {
        await settleInFlight(2000);
        await outage();
      } finally {
        forgetInFlight();
        away = false;
        poke();
      }
    },
    async run(runOptions) {
      currentRate ??= runOptions.rate;
      producing = true;
      const sending = sendLoop();
      try {
        await produceLoop(runOptions);
      } finally {
        producing = false;
        poke();
      }
      await sending;
    },
    stop(timeoutMs = 5000) {
      return (stopping ??= (async () => {
        stopped = true;
        poke();
        await settleInFlight(timeoutMs);
        await transport.close();
        forgetInFlight();
        closed = true;
        outbox.close();
      })());
    },
  };
}
