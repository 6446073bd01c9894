/**
 * One simulated device: connects over MQTT/TLS with its X.509 certificate and publishes readings
 * with QoS 1, through its outbox (store-and-forward, `outbox.ts`).
 *
 * Two loops share the outbox. The producer makes a reading at a steady rate with jitter, whether
 * the device is connected or not, each with its own `ts` and `seq`, and adds it to the outbox. The
 * sender publishes the oldest reading waiting there whenever the device is connected, keeps at most
 * `window` publishes unacknowledged (flow control: a slow broker slows the device instead of piling
 * up messages) and at most `maxSendRate` per second (the connection's quota, shared with the
 * shadow and jobs traffic), and removes a reading from the outbox on its PUBACK. After a loss of
 * the connection, the backlog therefore leaves first, oldest first, then the live readings.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { iotQuotas, topics } from '@fleet/core';
import { openOutbox, type Outbox, type OutboxEntry } from './outbox.ts';
import type { DeviceSignals } from './signals.ts';

export interface DeviceConnection {
  readonly deviceId: string;
  readonly host: string;
  readonly port: number;
  /** CA of the endpoint's server certificate. @default the system's trust store (Amazon Root CA 1 on AWS) */
  readonly ca?: string;
  readonly cert: string;
  readonly key: string;
}

export interface PublishCounters {
  /** Readings this run produced. */
  published: number;
  /** Readings an earlier run left in the outbox, found when this one began. */
  carriedOver: number;
  /** Readings the broker acknowledged (PUBACK), carried-over ones included. */
  acked: number;
  /** Readings dropped as the oldest of a full outbox. */
  dropped: number;
  /** Publishes that failed (the connection closed first); their readings were sent again. */
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
  /** The device's MQTT connection, for its configuration and commands (device-control.ts). */
  readonly client: MqttClient;
  readonly counters: Readonly<PublishCounters>;
  /** Readings waiting in the outbox now. */
  readonly buffered: number;
  /** `ts` and `seq` of every reading acknowledged in this run, as `<ts>_<seq>`. */
  readonly acknowledged: ReadonlySet<string>;
  /** Readings per second from now on (a running `run` follows it). */
  setRate(rate: number): void;
  readonly rate: number;
  /** Disconnects cleanly, waits `pauseMs` and connects again; readings produced meanwhile wait in the outbox. */
  reconnect(pauseMs: number): Promise<void>;
  /**
   * Produces `count` readings (or until stopped), `rate` per second, and resolves once the outbox is
   * empty (or the run is stopped: what is left stays in the outbox for the next run).
   */
  run(options: { rate: number; count?: number; jitter?: number; startSeq?: number }): Promise<void>;
  /** Stops; resolves after in-flight publishes are acknowledged (or `timeoutMs` passed) and the connection closed. */
  stop(timeoutMs?: number): Promise<void>;
}

/** A device's publishes per second: the connection's quota, less a fifth for its shadow and jobs messages. */
export const defaultSendRate = iotQuotas.publishesPerSecondPerConnection * 0.8;

/** How often a long wait between two readings looks at the rate again. */
const rateCheckMs = 250;

export const readingKey = (r: { readonly ts: number; readonly seq: number }) => `${r.ts}_${r.seq}`;

export async function connectDevice(
  connection: DeviceConnection,
  signals: DeviceSignals,
  options: PublisherOptions = {},
): Promise<DevicePublisher> {
  const client: MqttClient = await connectAsync({
    host: connection.host,
    port: connection.port,
    protocol: 'mqtts',
    ...(connection.ca === undefined ? {} : { ca: connection.ca }),
    cert: connection.cert,
    key: connection.key,
    clientId: connection.deviceId,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });
  const window = Math.max(1, options.window ?? 10);
  const { outbox = openOutbox(undefined, { maxBuffered: window }), bufferOffline = false, gauge = { now: 0, max: 0 } } = options;
  const sendGapMs = 1000 / (options.maxSendRate ?? defaultSendRate);
  const counters: PublishCounters = { published: 0, carriedOver: outbox.size, acked: 0, dropped: 0, failed: 0 };
  const acknowledged = new Set<string>();
  const topic = topics.telemetry(connection.deviceId);
  /** Publishes awaiting their PUBACK, by outbox id; a new generation forgets them (see `forgetInFlight`). */
  const inFlight = new Map<number, Promise<void>>();
  let generation = 0;
  let stopped = false;
  let signalStop = () => {};
  const stopSignal = new Promise<void>((resolve) => (signalStop = resolve));
  /** Set once the outbox is closed: a late PUBACK leaves its reading buffered (the next run sends it, stored once). */
  let closed = false;
  let producing = false;
  /** Set while `reconnect` has the device away on purpose. */
  let away = false;
  /** Set by `setRate` (e.g. a configuration applied at connection) before `run`, it wins over run's rate. */
  let currentRate: number | undefined;

  // Whatever changes what a loop waits for (a reading, a PUBACK, a connection, the stop) wakes them.
  let wake = () => {};
  let changed = new Promise<void>((resolve) => (wake = resolve));
  const poke = () => {
    wake();
    changed = new Promise<void>((resolve) => (wake = resolve));
  };
  client.on('connect', poke);
  // Connection errors are retried by mqtt.js (reconnectPeriod); an unhandled 'error' event would end the process.
  client.on('error', () => {});

  const gaugeChange = (delta: number) => {
    gauge.now += delta;
    gauge.max = Math.max(gauge.max, gauge.now);
  };
  gaugeChange(outbox.size);

  const send = (entry: OutboxEntry) => {
    const sentIn = generation;
    const p = client.publishAsync(topic, JSON.stringify(entry.reading), { qos: 1 }).then(
      () => {
        // A PUBACK may come after its generation was forgotten: it still counts, once.
        if (closed || !outbox.ack(entry.id)) return;
        counters.acked += 1;
        acknowledged.add(readingKey(entry.reading));
        gaugeChange(-1);
      },
      () => {
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
   * A client that was ended (a reboot, the stop) starts over with a new message store, so its
   * unacknowledged publishes may never be answered: their readings go back to waiting, oldest first.
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
      if (away || !client.connected || inFlight.size >= window) {
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
        // Everything waiting is in flight: the next PUBACK or reading wakes the loop.
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
    deviceId: connection.deviceId,
    client,
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
    async reconnect(pauseMs) {
      away = true;
      try {
        await settleInFlight(2000);
        await client.endAsync(!client.connected);
        forgetInFlight();
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        if (stopped) return;
        const connected = new Promise<void>((resolve) => client.once('connect', () => resolve()));
        client.reconnect();
        await Promise.race([connected, stopSignal]);
      } finally {
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
        signalStop();
        poke();
        await settleInFlight(timeoutMs);
        // Disconnected, a clean end would wait for a DISCONNECT that cannot be sent.
        await client.endAsync(!client.connected);
        forgetInFlight();
        closed = true;
        outbox.close();
      })());
    },
  };
}
