/**
 * A registered device run by the simulator's own device code (`@fleet/simulator`): it publishes
 * readings, follows its shadow and executes its jobs over MQTT/TLS, as `npm run simulate` does.
 */
import { readFile } from 'node:fs/promises';
import { generatedPrivateKey } from '@fleet/core';
import {
  connectDevice,
  createDeviceSignals,
  followShadowAndJobs,
  holdableSignals,
  type ControlCounters,
  type MqttDevicePublisher,
  type HeldSignals,
} from '@fleet/simulator';
import type { RegisteredDevice } from './fleet-user.ts';
import type { FleetUnderTest } from './platform-process.ts';

export interface SimulatedDevice {
  readonly publisher: MqttDevicePublisher;
  readonly control: ControlCounters;
  /** Its values: hold a metric at a value (across a threshold) and release it. */
  readonly signals: HeldSignals;
  /** Lines the device logged: each setting applied, each command finished. */
  readonly log: string[];
  stop(): Promise<void>;
}

export async function startSimulatedDevice(
  platform: FleetUnderTest,
  device: Pick<RegisteredDevice, 'device' | 'credentials'>,
  options: { rate?: number; rebootPauseMs?: number } = {},
): Promise<SimulatedDevice> {
  const { endpoints } = platform;
  const signals = holdableSignals(createDeviceSignals(1));
  const publisher = await connectDevice(
    {
      deviceId: device.device.deviceId,
      host: endpoints.mqttHost,
      port: endpoints.mqttPort,
      ...(endpoints.caFile === undefined ? {} : { ca: await readFile(endpoints.caFile, 'utf8') }),
      cert: device.credentials.certificatePem,
      key: generatedPrivateKey(device.credentials),
    },
    signals,
  );
  publisher.setRate(options.rate ?? 1);
  const log: string[] = [];
  const control = await followShadowAndJobs(
    {
      deviceId: device.device.deviceId,
      client: publisher.client,
      knobs: () => ({ reportIntervalSeconds: 1 / publisher.rate }),
      apply: (knobs) => publisher.setRate(1 / knobs.reportIntervalSeconds),
      reboot: () => publisher.reconnect(options.rebootPauseMs ?? 500),
    },
    (line) => log.push(line),
  );
  const running = publisher.run({ rate: options.rate ?? 1 });
  return {
    publisher,
    control,
    signals,
    log,
    async stop() {
      await publisher.stop();
      await running;
    },
  };
}
