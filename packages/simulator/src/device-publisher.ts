/**
 * One simulated device: connects over MQTT/TLS with its X.509 certificate, publishes readings with
 * QoS 1 at a steady rate with jitter, and applies flow control: at most `window` unacknowledged
 * publishes, so a slow broker slows the device instead of piling up messages in memory.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { topics } from '@fleet/core';
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
  sent: number;
  acked: number;
  failed: number;
}

export interface DevicePublisher {
  readonly deviceId: string;
  /** The device's MQTT connection, for its configuration and commands (device-control.ts). */
  readonly client: MqttClient;
  readonly counters: Readonly<PublishCounters>;
  /** Readings per second from now on (a running `run` follows it). */
  setRate(rate: number): void;
  readonly rate: number;
  /** Disconnects cleanly, waits `pauseMs` and connects again; readings published meanwhile wait in mqtt.js' queue. */
  reconnect(pauseMs: number): Promise<void>;
  /** Publishes `count` readings (or until stopped), `rate` per second. */
  run(options: { rate: number; count?: number; jitter?: number; startSeq?: number }): Promise<void>;
  /** Stops publishing; resolves after in-flight publishes are acknowledged (or `timeoutMs` passed). */
  stop(timeoutMs?: number): Promise<void>;
}

/** How often a long wait between two readings looks at the rate again. */
const rateCheckMs = 250;

export async function connectDevice(connection: DeviceConnection, signals: DeviceSignals, window = 10): Promise<DevicePublisher> {
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
  const counters: PublishCounters = { sent: 0, acked: 0, failed: 0 };
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  /** Set while `reconnect` has the device away. */
  let offline: Promise<void> | undefined;
  let signalStop = () => {};
  const stopping = new Promise<void>((resolve) => (signalStop = resolve));
  /** Set by `setRate` (e.g. a configuration applied at connection) before `run`, it wins over run's rate. */
  let currentRate: number | undefined;
  const topic = topics.telemetry(connection.deviceId);

  const publishOne = (seq: number) => {
    const ts = Date.now();
    const payload = JSON.stringify({ ts, seq, ...signals.next(ts) });
    counters.sent += 1;
    const p = client.publishAsync(topic, payload, { qos: 1 }).then(
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
    deviceId: connection.deviceId,
    client,
    counters,
    setRate(rate) {
      currentRate = rate;
    },
    get rate() {
      return currentRate ?? 1;
    },
    async reconnect(pauseMs) {
      // Readings wait while the device is away (a reboot): mqtt.js refuses a publish once `end` began.
      let back = () => {};
      offline = new Promise<void>((resolve) => (back = resolve));
      try {
        await client.endAsync();
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        if (stopped) return;
        const connected = new Promise<void>((resolve) => client.once('connect', () => resolve()));
        client.reconnect();
        await Promise.race([connected, stopping]);
      } finally {
        offline = undefined;
        back();
      }
    },
    async run({ rate, count, jitter = 0.1, startSeq = 1 }) {
      currentRate ??= rate;
      let seq = startSeq;
      let next = Date.now();
      while (!stopped && (count === undefined || seq < startSeq + count)) {
        while (inFlight.size >= window) await Promise.race(inFlight);
        if (offline) await offline;
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
      signalStop();
      await Promise.race([Promise.all(inFlight), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
      await client.endAsync();
    },
  };
}
