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
  readonly counters: Readonly<PublishCounters>;
  /** Publishes `count` readings (or until stopped), `rate` per second. */
  run(options: { rate: number; count?: number; jitter?: number; startSeq?: number }): Promise<void>;
  /** Stops publishing; resolves after in-flight publishes are acknowledged (or `timeoutMs` passed). */
  stop(timeoutMs?: number): Promise<void>;
}

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
    counters,
    async run({ rate, count, jitter = 0.1, startSeq = 1 }) {
      const intervalMs = 1000 / rate;
      let seq = startSeq;
      let next = Date.now();
      while (!stopped && (count === undefined || seq < startSeq + count)) {
        while (inFlight.size >= window) await Promise.race(inFlight);
        publishOne(seq++);
        // From the later of the plan and now: after a stall (a busy machine, a slow PUBACK) the device
        // does not catch up in a burst, which could pass the broker's 100 publishes/s per connection.
        next = Math.max(next, Date.now()) + intervalMs * (1 + (Math.random() * 2 - 1) * jitter);
        const wait = next - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      await Promise.all(inFlight);
    },
    async stop(timeoutMs = 5000) {
      stopped = true;
      await Promise.race([Promise.all(inFlight), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
      await client.endAsync();
    },
  };
}
