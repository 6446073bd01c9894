/**
 * One simulated device over MQTT: connects over MQTT/TLS with its X.509 certificate and publishes
 * its readings (reading-loop.ts) with QoS 1, a reading acknowledged by its PUBACK.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { createReadingLoop, type ReadingLoop } from './reading-loop.ts';
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

export interface DevicePublisher extends ReadingLoop {
  readonly deviceId: string;
  /** The device's MQTT connection, for its configuration and commands (device-control.ts). */
  readonly client: MqttClient;
  /** Disconnects cleanly, waits `pauseMs` and connects again; readings published meanwhile wait in mqtt.js' queue. */
  reconnect(pauseMs: number): Promise<void>;
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
  /** Set while `reconnect` has the device away. */
  let offline: Promise<void> | undefined;
  let stopped = false;
  let signalStop = () => {};
  const stopping = new Promise<void>((resolve) => (signalStop = resolve));
  const loop = createReadingLoop({
    deviceId: connection.deviceId,
    signals,
    window,
    publish: (topic, payload) => client.publishAsync(topic, payload, { qos: 1 }).then(() => undefined),
    offline: () => offline,
  });

  return {
    deviceId: connection.deviceId,
    client,
    get counters() {
      return loop.counters;
    },
    setRate: (rate) => loop.setRate(rate),
    get rate() {
      return loop.rate;
    },
    run: (options) => loop.run(options),
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
    async stop(timeoutMs = 5000) {
      stopped = true;
      signalStop();
      await loop.stop(timeoutMs);
      await client.endAsync();
    },
  };
}
