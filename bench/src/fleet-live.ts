/**
 * One Fleet platform for the two live figures of issue 9, measured one after the other on the same
 * devices: the broker alone (every device's telemetry to one QoS 1 subscriber) and publish →
 * browser live chart latency. Both subscribers are a signed-in operator's browser identity,
 * connected as the web app connects (`@fleet/e2e` browser-live-client.ts).
 */
import { type MqttClient } from 'mqtt';
import { mapWithLimit, topics } from '@fleet/core';
import type { Logger } from 'pino';
import { connectDevice, createUser, startPlatformProcess, type FleetUser, type PlatformProcess, type RegisteredDevice } from '@fleet/e2e';
import { connectLikeTheBrowser } from '@fleet/e2e';
import { createDataServiceReader, type DataServiceReader } from './data-service-reader.ts';
import { createDeliveryRecorder } from './delivery-recorder.ts';
import { awsIotPublishesPerSecondPerConnection } from './fleet-ingest.ts';
import { FleetUnavailableError } from './platform-session.ts';
import { measureFleetBroker, type FleetBrokerMeasurement } from './fleet-broker.ts';
import { measureLiveLatency, type LiveLatencyMeasurement } from './live-latency.ts';
import { deviceConnections } from './device-connection.ts';
import { connectLoadGenerator, fleetReadingPayload, type LoadGenerator } from './load-generator.ts';
import { failedOutcome, settle, type Outcome } from './outcome.ts';
import { firstErrorLine } from './platform-output.ts';
import { waitForLatestSeq } from './storage-wait.ts';

export interface FleetLiveOptions {
  readonly broker: boolean;
  readonly browser: boolean;
  readonly devices: number;
  readonly readingsPerDevice: number;
  readonly window: number;
  readonly probeIntervalMs: number;
  readonly liveProbes: number;
  readonly timeoutMs: number;
  /** Messages per device before the broker runs, delivered and not counted. @default 10 */
  readonly warmupPerDevice?: number;
  readonly logger: Logger;
}

/** Publish → browser latency: what the live chart's subscriber saw, and how it subscribed. */
export interface BrowserLiveMeasurement extends LiveLatencyMeasurement {
  readonly subscriber: string;
  readonly subscriberQos: 0;
}

export interface FleetLiveResult {
  readonly broker: Outcome<FleetBrokerMeasurement>;
  readonly browser: Outcome<BrowserLiveMeasurement>;
}

const browserPath = 'signed-in operator’s browser identity: MQTT over WebSocket, SigV4 URL from identity-pool credentials';

/** Starts Fleet, measures what is asked, stops it (data folder removed) whatever happens. */
export async function measureFleetLive(options: FleetLiveOptions): Promise<FleetLiveResult> {
  const { logger } = options;
  let platform: PlatformProcess;
  try {
    platform = await startPlatformProcess({ startTimeoutMs: 120_000 });
  } catch (err) {
    const failed = failedOutcome(
      new FleetUnavailableError(`the Fleet platform did not start: ${firstErrorLine((err as Error).message)}`, { cause: err }),
    );
    return { broker: options.broker ? failed : { ok: 'skipped' }, browser: options.browser ? failed : { ok: 'skipped' } };
  }
  const withOutput = (err: unknown) =>
    new Error(`${(err as Error).message}\n--- last platform output ---\n${platform.output().slice(-3000)}`, { cause: err });
  try {
    let setup: LiveSetup;
    try {
      setup = await prepare(platform, options);
    } catch (err) {
      logger.error({ err }, 'Fleet live setup failed');
      const failed = failedOutcome(withOutput(err));
      return { broker: options.broker ? failed : { ok: 'skipped' }, browser: options.browser ? failed : { ok: 'skipped' } };
    }
    try {
      let seq = 1;
      const broker = await settle(
        options.broker,
        async () => {
          const { measurement, nextSeq } = await brokerAlone(platform, setup, options);
          seq = nextSeq;
          return measurement;
        },
        (err) => logger.error({ err }, 'Fleet broker alone failed'),
      );
      const browser = await settle(
        options.browser,
        () => browserLive(platform, setup, options, seq),
        (err) => logger.error({ err }, 'publish→browser latency failed'),
      );
      return { broker: withPlatformOutput(broker, platform), browser: withPlatformOutput(browser, platform) };
    } finally {
      await Promise.all([setup.generator.close(), setup.probe.endAsync(true)]);
    }
  } finally {
    await platform.stop();
  }
}

function withPlatformOutput<T>(outcome: Outcome<T>, platform: PlatformProcess): Outcome<T> {
  if (outcome.ok !== false) return outcome;
  return { ...outcome, detail: `${outcome.detail ?? outcome.error}\n--- last platform output ---\n${platform.output().slice(-3000)}` };
}

interface LiveSetup {
  readonly user: FleetUser;
  readonly generator: LoadGenerator;
  readonly loadDeviceIds: readonly string[];
  readonly probe: MqttClient;
  readonly probeDeviceId: string;
  readonly reader: DataServiceReader;
}

/** How long to wait for the Data Service to store an earlier phase's readings before going on anyway. */
const backlogWaitMs = 120_000;

/**
 * Waits until the Data Service stored every load reading up to `lastSeq`: the queue a previous run
 * filled would otherwise still be drained on the same cores during the next one, and each figure
 * would depend on what ran before it. Bounded; goes on with a warning.
 */
async function storeBacklog(setup: LiveSetup, lastSeq: number, logger: Logger): Promise<void> {
  if (lastSeq < 1) return;
  const started = Date.now();
  const done = await waitForLatestSeq(setup.reader, setup.loadDeviceIds, lastSeq, 0, backlogWaitMs);
  if (done.complete) logger.info({ lastSeq, ms: done.at - started }, 'earlier readings stored; the platform is idle again');
  else logger.warn({ pendingDevices: done.pending.length, waitedMs: backlogWaitMs }, 'earlier readings not all stored; measuring anyway');
}

/** An operator, `devices` load devices and a probe device, all connected over mutual TLS (not timed). */
async function prepare(platform: PlatformProcess, options: FleetLiveOptions): Promise<LiveSetup> {
  const { logger, devices } = options;
  const dataUrl = platform.endpoints.services['data']?.url;
  if (!dataUrl)
    throw new Error(`endpoints.json lists no Data Service URL (services: ${Object.keys(platform.endpoints.services).join(', ')})`);
  const user = await createUser(platform);
  const registered = await mapWithLimit(
    Array.from({ length: devices + 1 }, (_, i) => i),
    4,
    (i) => user.api.registerDevice(i === devices ? 'bench live probe' : `bench broker ${i + 1}`),
  );
  const probeDevice = registered[devices] as RegisteredDevice;
  const tls = await deviceConnections(platform.endpoints);
  const generator = await connectLoadGenerator({
    clients: registered.slice(0, devices).map((d) => ({
      clientId: d.device.deviceId,
      topic: topics.telemetry(d.device.deviceId),
      connection: tls(d),
    })),
    messagesPerClient: options.readingsPerDevice,
    window: options.window,
    // Beyond AWS IoT's quota the broker disconnects the device (THROTTLED).
    maxPerSecondPerClient: awsIotPublishesPerSecondPerConnection,
    timeoutMs: options.timeoutMs,
    payload: fleetReadingPayload,
    logger,
  });
  try {
    const probe = await connectDevice(platform, probeDevice);
    logger.info({ devices }, 'fleet live: devices registered and connected');
    return {
      user,
      generator,
      loadDeviceIds: registered.slice(0, devices).map((d) => d.device.deviceId),
      probe,
      probeDeviceId: probeDevice.device.deviceId,
      reader: createDataServiceReader({ baseUrl: dataUrl, accessToken: user.tokens.accessToken }),
    };
  } catch (err) {
    await generator.close();
    throw new Error(`the probe device could not connect to mqtts://${platform.endpoints.mqttHost}:${platform.endpoints.mqttPort}`, {
      cause: err,
    });
  }
}

async function brokerAlone(platform: PlatformProcess, setup: LiveSetup, options: FleetLiveOptions) {
  const { logger } = options;
  const { client } = await connectLikeTheBrowser(platform.endpoints.gatewayUrl, setup.user);
  try {
    const recorder = createDeliveryRecorder();
    client.on('message', (topic, payload) => recorder.record(topic, payload, Date.now()));
    // Rejects when the policy refuses (granted 128): a figure of a subscriber that receives nothing would be meaningless.
    await client.subscribeAsync(topics.telemetryFilter, { qos: 1 });
    const warmup = options.warmupPerDevice ?? 10;
    if (warmup > 0) {
      await setup.generator.run({ messagesPerClient: warmup });
      const until = Date.now() + 30_000;
      while (recorder.snapshot().delivered < warmup * options.devices && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      logger.info({ delivered: recorder.snapshot().delivered }, 'fleet broker warm-up delivered');
    }
    return await measureFleetBroker({
      generator: setup.generator,
      recorder,
      clients: options.devices,
      messagesPerClient: options.readingsPerDevice,
      maxPerSecondPerDevice: awsIotPublishesPerSecondPerConnection,
      firstSeq: warmup + 1,
      timeoutMs: options.timeoutMs,
      subscriberDescription: `${browserPath}; QoS 1 on ${topics.telemetryFilter}`,
      beforeRun: (firstSeq) => storeBacklog(setup, firstSeq - 1, logger),
      logger,
    });
  } finally {
    await client.endAsync(true);
  }
}

async function browserLive(
  platform: PlatformProcess,
  setup: LiveSetup,
  options: FleetLiveOptions,
  firstSeq: number,
): Promise<BrowserLiveMeasurement> {
  const { client } = await connectLikeTheBrowser(platform.endpoints.gatewayUrl, setup.user);
  try {
    // The device page subscribes to the device's telemetry topic with QoS 0 (web/src/pages/device-page.tsx).
    await client.subscribeAsync(topics.telemetry(setup.probeDeviceId), { qos: 0 });
    const measured = await measureLiveLatency({
      generator: setup.generator,
      firstSeq,
      probeClient: setup.probe,
      probeDeviceId: setup.probeDeviceId,
      subscriber: client,
      probes: options.liveProbes,
      intervalMs: options.probeIntervalMs,
      logger: options.logger,
    });
    return { ...measured, subscriber: `${browserPath}; QoS 0 on the device's telemetry topic, as the device page`, subscriberQos: 0 };
  } finally {
    await client.endAsync(true);
  }
}
