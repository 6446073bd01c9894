/**
 * A fleet of counting publishers: mqtt.js clients publishing readings with QoS 1, each remembering
 * exactly which readings the broker acknowledged (PUBACK) and when. A reading is identified by its
 * `seq`; its `ts` is `baseTs + seq`, so `(deviceId, ts, seq)` is unique and a time range query finds
 * every reading of a run.
 *
 * Devices reconnect every `reconnectPeriodMs` (mqtt.js resends its unacknowledged QoS 1 publishes
 * after a reconnect). With a `window`, a device keeps at most that many publishes unacknowledged
 * (flow control, as the simulator does); without one it publishes on its schedule whatever the
 * broker answers (a flood).
 */
import { topics } from '@fleet/core';
import type { RegisteredDevice } from '@fleet/simulator';
import { connect, type MqttClient } from 'mqtt';

export interface CountingFleetOptions {
  readonly mqttHost: string;
  readonly mqttPort: number;
  /** The local root CA (PEM) that signs the broker's certificate. */
  readonly ca: string;
  readonly devices: readonly RegisteredDevice[];
  /** Publishes per second and device (AWS IoT closes a connection above 100). */
  readonly ratePerSecond: number;
  /** Readings each device publishes: every run is bounded in count. */
  readonly readingsPerDevice: number;
  /** `ts` of reading `seq` is `baseTs + seq`. */
  readonly baseTs: number;
  /** Unacknowledged publishes a device allows itself; undefined: no flow control. */
  readonly window?: number;
  /** @default 100 */
  readonly reconnectPeriodMs?: number;
  /** The payload of reading `seq` of `deviceId`; default `{ ts, seq, temperature }`. */
  readonly payload?: (deviceId: string, seq: number, ts: number) => string;
}

export interface DeviceTally {
  readonly deviceId: string;
  /** Publishes handed to mqtt.js. */
  sent: number;
  /** seq → time of its PUBACK (epoch ms). */
  readonly acknowledged: Map<number, number>;
  /** Connections that ended (kills, throttling, restarts). */
  disconnects: number;
  /** Publishes mqtt.js gave up on (e.g. ended unacknowledged), with the first reason. */
  rejected: number;
  firstRejection?: string;
}

export interface CountingFleet {
  readonly tallies: readonly DeviceTally[];
  /** Resolves when every device has handed all its readings to mqtt.js. */
  published(): Promise<void>;
  acknowledgedTotal(): number;
  /** Waits up to `timeoutMs` for outstanding PUBACKs, then closes every connection. */
  stop(timeoutMs: number): Promise<void>;
}

const defaultPayload = (_deviceId: string, seq: number, ts: number) => JSON.stringify({ ts, seq, temperature: 20 + (seq % 10) });

export function startCountingFleet(options: CountingFleetOptions): CountingFleet {
  const payload = options.payload ?? defaultPayload;
  const clients: MqttClient[] = [];
  const inFlight = new Set<Promise<void>>();
  const tallies: DeviceTally[] = [];

  const runs = options.devices.map(async ({ device, credentials }) => {
    const deviceId = device.deviceId;
    const tally: DeviceTally = { deviceId, sent: 0, acknowledged: new Map(), disconnects: 0, rejected: 0 };
    tallies.push(tally);
    const client = connect({
      host: options.mqttHost,
      port: options.mqttPort,
      protocol: 'mqtts',
      ca: options.ca,
      cert: credentials.certificatePem,
      key: credentials.privateKey,
      clientId: deviceId,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: options.reconnectPeriodMs ?? 100,
      connectTimeout: 5_000,
    });
    clients.push(client);
    // Refused connections and resets are what this suite provokes; mqtt.js reconnects by itself.
    client.on('error', () => undefined);
    client.on('close', () => (tally.disconnects += 1));
    const own = new Set<Promise<void>>();
    const topic = topics.telemetry(deviceId);
    const intervalMs = 1000 / options.ratePerSecond;
    const started = Date.now();
    for (let seq = 1; seq <= options.readingsPerDevice; seq++) {
      while (options.window !== undefined && own.size >= options.window) await Promise.race(own);
      const ts = options.baseTs + seq;
      tally.sent += 1;
      const ack = client.publishAsync(topic, payload(deviceId, seq, ts), { qos: 1 }).then(
        () => void tally.acknowledged.set(seq, Date.now()),
        // Not acknowledged (e.g. the client ended with the publish in flight): simply not counted.
        (err: unknown) => {
          tally.rejected += 1;
          tally.firstRejection ??= err instanceof Error ? err.message : String(err);
        },
      );
      const tracked: Promise<void> = ack.finally(() => {
        own.delete(tracked);
        inFlight.delete(tracked);
      });
      own.add(tracked);
      inFlight.add(tracked);
      const ahead = started + seq * intervalMs - Date.now();
      if (ahead > 0) await new Promise((resolve) => setTimeout(resolve, ahead));
    }
  });
  const allPublished = Promise.all(runs).then(() => undefined);

  return {
    tallies,
    published: () => allPublished,
    acknowledgedTotal: () => tallies.reduce((sum, t) => sum + t.acknowledged.size, 0),
    async stop(timeoutMs) {
      await allPublished;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([...inFlight]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      await Promise.all(clients.map((client) => client.endAsync(true).catch(() => undefined)));
    },
  };
}
