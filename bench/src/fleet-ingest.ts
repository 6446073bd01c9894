/**
 * Fleet end to end: the whole platform as a separate process (the real launcher, free ports, a temp
 * data folder), devices registered through the API as a user does, the load generator publishing
 * readings over MQTT/TLS with the devices' certificates, and three figures:
 *
 * - throughput: readings stored / (first publish → the moment all of them are stored);
 * - publish→stored latency: a probe device publishes one reading every `probeIntervalMs` during
 *   the load, and a poller asks the Data Service (what load balancer 3 serves) for it until it is
 *   stored in the telemetry table;
 * - DynamoDB write units per stored reading, from the Data Service's counters (write-units.ts).
 *
 * Storage is read from the Data Service directly rather than through the gateway and the API
 * Service: the same table, without spending the shared 2 cores on JWT checks and a proxy hop.
 */
import { type MqttClient } from 'mqtt';
import { mapWithLimit, topics } from '@fleet/core';
import type { Logger } from 'pino';
import { connectDevice, createUser, type PlatformProcess, type RegisteredDevice } from '@fleet/e2e';
import { deviceConnections } from './device-connection.ts';
import { connectLoadGenerator, fleetReadingPayload, type LoadResult } from './load-generator.ts';
import { ratePerSecond, summarizeLatencies, type LatencySummary } from './stats.ts';
import { startProbe } from './latency-probe.ts';
import { dropsDuring, rulesEngineDrops } from './platform-output.ts';
import { waitForLatestSeq, waitForStorage } from './storage-wait.ts';
import { createDataServiceReader } from './data-service-reader.ts';
import { measureWriteUnits, type WriteUnitsMeasurement } from './write-units.ts';

export interface FleetIngestOptions {
  readonly devices: number;
  readonly readingsPerDevice: number;
  readonly window: number;
  readonly probeIntervalMs: number;
  /** Deadline of the measured run: publishing plus waiting for storage. */
  readonly timeoutMs: number;
  /** Readings per device published and stored before the measured run (JIT, connections, tables). @default 10 */
  readonly warmupPerDevice?: number;
  /** Publishes per second per device at most. @default 100, AWS IoT Core's per-connection quota (the local broker enforces it too) */
  readonly maxPerSecondPerDevice?: number;
  /** Give up waiting for storage after this long without progress. @default 30000 */
  readonly stallMs?: number;
  /** How often the probe poller asks for pending probe readings. @default 20 */
  readonly probePollMs?: number;
  readonly logger: Logger;
}

export interface FleetIngestMeasurement {
  /** The per-device pace the load generator kept. */
  readonly maxPerSecondPerDevice: number;
  /** The load generator's view: PUBACKs from Fleet's MQTT broker (IoT Core stand-in). */
  readonly load: LoadResult;
  readonly expected: number;
  /** Distinct readings of the run read back. */
  readonly stored: number;
  /** Readings of the run read back more than once (the goal is zero). */
  readonly duplicates: number;
  /** Epoch ms when every reading was observed stored; when incomplete, when storage last progressed. */
  readonly allStoredAt: number;
  /** First publish → all stored. */
  readonly elapsedMs: number;
  readonly storedPerSecond: number;
  readonly complete: boolean;
  /** Why the wait for storage ended before every reading was stored. */
  readonly incompleteReason: string | undefined;
  /** Messages the local rules engine reported dropping (from the launcher's warnings), if any. */
  readonly droppedByRulesEngine: number | undefined;
  readonly latency: LatencySummary & {
    readonly probeIntervalMs: number;
    readonly pollIntervalMs: number;
    readonly probesPublished: number;
    readonly probesStored: number;
  };
  /**
   * DynamoDB write units per stored reading over the platform's life so far (warm-up, load and
   * probes), from the Data Service's counters of the units DynamoDB reported.
   */
  readonly writeUnits: WriteUnitsMeasurement;
}

/** https://docs.aws.amazon.com/general/latest/gr/iot-core.html: "Publish requests per second per connection: 100". */
export const awsIotPublishesPerSecondPerConnection = 100;

/** Rejects with a message naming `what` when `promise` does not settle within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Measures against a platform already started (the caller stops it). */
export async function measureFleetIngestOn(platform: PlatformProcess, options: FleetIngestOptions): Promise<FleetIngestMeasurement> {
  const { logger, devices: deviceCount, readingsPerDevice, window } = options;
  const warmup = options.warmupPerDevice ?? 10;
  const setupMs = 60_000 + deviceCount * 2000;
  const dataUrl = platform.endpoints.services['data']?.url;
  if (!dataUrl)
    throw new Error(`endpoints.json lists no Data Service URL (services: ${Object.keys(platform.endpoints.services).join(', ')})`);

  const user = await within(createUser(platform), setupMs, 'creating the benchmark user');
  const reader = createDataServiceReader({ baseUrl: dataUrl, accessToken: user.tokens.accessToken });
  const registered = await within(
    mapWithLimit(
      Array.from({ length: deviceCount + 1 }, (_, i) => i),
      4,
      (i) => user.api.registerDevice(i === deviceCount ? 'bench probe' : `bench load ${i + 1}`),
    ),
    setupMs,
    `registering ${deviceCount + 1} devices`,
  );
  const probeDevice = registered[deviceCount] as RegisteredDevice;
  const loadDevices = registered.slice(0, deviceCount);
  logger.info({ devices: loadDevices.length }, 'devices registered');
  const tls = await deviceConnections(platform.endpoints);

  const generator = await connectLoadGenerator({
    clients: loadDevices.map((d) => ({ clientId: d.device.deviceId, topic: topics.telemetry(d.device.deviceId), connection: tls(d) })),
    messagesPerClient: readingsPerDevice,
    window,
    // Beyond the quota the broker disconnects the device (THROTTLED), as AWS IoT does.
    maxPerSecondPerClient: options.maxPerSecondPerDevice ?? awsIotPublishesPerSecondPerConnection,
    timeoutMs: options.timeoutMs,
    payload: fleetReadingPayload,
    logger,
  });
  let probeClient: MqttClient;
  try {
    probeClient = await connectDevice(platform, probeDevice);
  } catch (err) {
    await generator.close();
    throw new Error(`the probe device could not connect to mqtts://${platform.endpoints.mqttHost}:${platform.endpoints.mqttPort}`, {
      cause: err,
    });
  }
  try {
    const ids = loadDevices.map((d) => d.device.deviceId);
    if (warmup > 0) {
      const warm = await generator.run({ messagesPerClient: warmup });
      const done = await waitForLatestSeq(reader, ids, warmup, warm.firstPublishAt, 60_000);
      if (!done.complete)
        logger.warn({ pendingDevices: done.pending.length }, 'warm-up readings were not all stored within 60 s; measuring anyway');
      else logger.info({ warmupPerDevice: warmup, ms: done.at - warm.firstPublishAt }, 'warm-up stored');
    }

    const deadline = Date.now() + options.timeoutMs;
    const dropsBefore = rulesEngineDrops(platform.output());
    const probe = startProbe({
      client: probeClient,
      deviceId: probeDevice.device.deviceId,
      reader,
      intervalMs: options.probeIntervalMs,
      pollMs: options.probePollMs ?? 20,
      logger,
    });
    const finalSeq = warmup + readingsPerDevice;
    const load = await generator.run({ firstSeq: warmup + 1 });
    logger.info({ acknowledged: load.acknowledged, perSecond: Math.round(load.acknowledgedPerSecond) }, 'fleet load published');

    const expected = deviceCount * readingsPerDevice;
    const storage = await waitForStorage({
      reader,
      deviceIds: ids,
      since: load.firstPublishAt,
      warmup,
      finalSeq,
      expected,
      deadline,
      stallMs: options.stallMs ?? 30_000,
      knownLost: () => dropsDuring(dropsBefore, rulesEngineDrops(platform.output())) ?? 0,
      // The probe measures latency under load: it stops publishing once the load is stored.
      onLoadStored: () => {
        logger.debug({ afterMs: Date.now() - load.firstPublishAt }, 'load stored (or stalled); probe stops publishing');
        probe.stopPublishing();
      },
    });
    const probeResult = await probe.stop(Math.min(5000, Math.max(1000, deadline - Date.now())));
    const { stored, duplicates, allStoredAt } = storage;
    if (!storage.complete) logger.warn({ stored, expected, reason: storage.reason }, 'not every reading was stored');
    const elapsedMs = allStoredAt - load.firstPublishAt;
    // Every reading stored so far: the counters must account for them before the ratio means anything.
    const storedSoFar = deviceCount * warmup + stored + probeResult.latenciesMs.length;
    // The load's readings carry one value (load-generator.ts); a device published its share over the run.
    const writeUnits = await measureWriteUnits(platform, {
      storedAtLeast: storedSoFar,
      composition: { intervalSeconds: Math.max(0.001, elapsedMs / 1000 / Math.max(1, readingsPerDevice)), metrics: 1 },
    });
    logger.info({ ...writeUnits }, 'write units per stored reading');
    return {
      maxPerSecondPerDevice: options.maxPerSecondPerDevice ?? awsIotPublishesPerSecondPerConnection,
      load,
      expected,
      stored,
      duplicates,
      allStoredAt,
      elapsedMs,
      storedPerSecond: ratePerSecond(stored, elapsedMs),
      complete: storage.complete,
      incompleteReason: storage.complete ? undefined : storage.reason,
      droppedByRulesEngine: dropsDuring(dropsBefore, rulesEngineDrops(platform.output())),
      latency: {
        ...summarizeLatencies(probeResult.latenciesMs),
        probeIntervalMs: options.probeIntervalMs,
        pollIntervalMs: options.probePollMs ?? 20,
        probesPublished: probeResult.published,
        probesStored: probeResult.latenciesMs.length,
      },
      writeUnits,
    };
  } finally {
    await Promise.all([generator.close(), probeClient.endAsync(true)]);
  }
}
