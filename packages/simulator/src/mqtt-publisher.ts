/**
 * One simulated device over MQTT: connects over MQTT/TLS with its X.509 certificate and publishes
 * its readings with QoS 1 through its outbox (`device-publisher.ts`), a reading acknowledged by its
 * PUBACK. The connection also carries the device's shadow and jobs (`device-control.ts`), and can
 * be dropped and made again on purpose (a reboot command).
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { createDevicePublisher, type DeviceConnection, type DevicePublisher, type PublisherOptions } from './device-publisher.ts';
import type { DeviceTransport } from './device-transport.ts';
import { mqttsOptions } from './mqtts-options.ts';
import type { DeviceSignals } from './signals.ts';

export interface MqttDevicePublisher extends DevicePublisher {
  /** The device's MQTT connection, for its configuration and commands (device-control.ts). */
  readonly client: MqttClient;
  /** Disconnects cleanly, waits `pauseMs` and connects again; readings produced meanwhile wait in the outbox. */
  reconnect(pauseMs: number): Promise<void>;
}

export async function connectDevice(
  connection: DeviceConnection,
  signals: DeviceSignals,
  options: PublisherOptions = {},
): Promise<MqttDevicePublisher> {
  const client: MqttClient = await connectAsync(mqttsOptions(connection, connection.deviceId, 1000));
  // Connection errors are retried by mqtt.js (reconnectPeriod); an unhandled 'error' event would end the process.
  client.on('error', () => {});
  const transport: DeviceTransport = {
    get connected() {
      return client.connected;
    },
    onConnect: (listener) => void client.on('connect', listener),
    publish: (topic, payload) => client.publishAsync(topic, payload, { qos: 1 }).then(() => undefined),
    // Disconnected, a clean end would wait for a DISCONNECT that cannot be sent.
    close: () => client.endAsync(!client.connected),
  };
  const publisher = createDevicePublisher(connection.deviceId, transport, signals, options);
  let stopped = false;
  let signalStop = () => {};
  const stopSignal = new Promise<void>((resolve) => (signalStop = resolve));

  return {
    deviceId: publisher.deviceId,
    client,
    counters: publisher.counters,
    acknowledged: publisher.acknowledged,
    get buffered() {
      return publisher.buffered;
    },
    setRate: (rate) => publisher.setRate(rate),
    get rate() {
      return publisher.rate;
    },
    run: (runOptions) => publisher.run(runOptions),
    reconnect: (pauseMs) =>
      publisher.interrupt(async () => {
        await client.endAsync(!client.connected);
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        if (stopped) return;
        const connected = new Promise<void>((resolve) => client.once('connect', () => resolve()));
        client.reconnect();
        await Promise.race([connected, stopSignal]);
      }),
    stop(timeoutMs) {
      stopped = true;
      signalStop();
      return publisher.stop(timeoutMs);
    },
  };
}
