/**
 * The peer of the publish → browser latency: the same phase against Debian's Mosquitto. The same
 * load generator, paced as Fleet's devices are (≤ 100 publishes/s per client, AWS IoT's quota), a
 * probe publishing one reading every `intervalMs` with QoS 1, and a subscriber over MQTT over
 * WebSocket with QoS 0 on the probe's topic, as the browser subscribes. Plain TCP and WebSocket, no
 * TLS and no SigV4 (which Fleet pays only when connecting, not per message).
 */
import { connectAsync } from 'mqtt';
import { topics } from '@fleet/core';
import type { Logger } from 'pino';
import { awsIotPublishesPerSecondPerConnection } from './fleet-ingest.ts';
import { measureLiveLatency, type LiveLatencyMeasurement } from './live-latency.ts';
import { connectLoadGenerator } from './load-generator.ts';
import { startMosquitto } from './mosquitto-peer.ts';

export interface MosquittoLiveMeasurement extends LiveLatencyMeasurement {
  readonly brokerVersion: string;
  readonly subscriber: string;
  readonly subscriberQos: 0;
}

export async function measureMosquittoLive(options: {
  clients: number;
  messagesPerClient: number;
  window: number;
  probes: number;
  intervalMs: number;
  timeoutMs: number;
  logger: Logger;
  mosquittoPath?: string;
}): Promise<MosquittoLiveMeasurement> {
  const { logger } = options;
  const broker = await startMosquitto({ logger, path: options.mosquittoPath, webSocket: true });
  const tcp = { kind: 'tcp', host: broker.host, port: broker.port } as const;
  try {
    const generator = await connectLoadGenerator({
      clients: Array.from({ length: options.clients }, (_, i) => {
        const deviceId = `bench-device-${i + 1}`;
        return { clientId: deviceId, topic: topics.telemetry(deviceId), connection: tcp };
      }),
      messagesPerClient: options.messagesPerClient,
      window: options.window,
      maxPerSecondPerClient: awsIotPublishesPerSecondPerConnection,
      timeoutMs: options.timeoutMs,
      logger,
    });
    const probeDeviceId = 'bench-live-probe';
    const [probe, subscriber] = await Promise.all([
      connectAsync({ host: broker.host, port: broker.port, clientId: probeDeviceId, protocolVersion: 4, reconnectPeriod: 0 }),
      connectAsync(`ws://${broker.host}:${broker.webSocketPort}/mqtt`, {
        clientId: 'bench-live-browser',
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 0,
      }),
    ]);
    try {
      await subscriber.subscribeAsync(topics.telemetry(probeDeviceId), { qos: 0 });
      const measured = await measureLiveLatency({
        generator,
        firstSeq: 1,
        probeClient: probe,
        probeDeviceId,
        subscriber,
        probes: options.probes,
        intervalMs: options.intervalMs,
        logger,
      });
      return {
        ...measured,
        brokerVersion: broker.version,
        subscriber: 'MQTT over WebSocket (plain, anonymous); QoS 0 on the probe’s telemetry topic',
        subscriberQos: 0,
      };
    } finally {
      await Promise.all([generator.close(), probe.endAsync(true), subscriber.endAsync(true)]);
    }
  } finally {
    await broker.stop();
  }
}
