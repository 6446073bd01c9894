/**
 * The soak (issue 9): the platform ingesting at a fixed rate for a bounded time, sampled every
 * `sampleIntervalMs`: the RSS sum of its processes, the probe's publish→stored latency of the
 * interval, readings acknowledged vs stored. After it, every acknowledged reading is counted in
 * the telemetry table (stored once?), and `judgeSoak` says whether it stayed flat.
 *
 * The load: `ceil(rate / 25)` fresh devices over MQTT/TLS, each paced at rate ÷ devices (≤ 25/s,
 * far under AWS IoT's 100/s per connection), in-flight window 10. "Stored" during the soak is read
 * from each device's latest item (its highest stored seq: cheap, one GET per device per sample);
 * the exact count at the end reads every raw reading back. The write units are the Data Service's
 * counters (write-units.ts) over the soak: at a steady rate its window items fill as they do in
 * production, which a burst of a few seconds never shows.
 */
import { type MqttClient } from 'mqtt';
import { mapWithLimit, topics } from '@fleet/core';
import type { Logger } from 'pino';
import { connectDevice, createUser, type PlatformProcess, type RegisteredDevice } from '@fleet/e2e';
import { createDataServiceReader } from './data-service-reader.ts';
import { startProbe } from './latency-probe.ts';
import { deviceConnections } from './device-connection.ts';
import { connectLoadGenerator, fleetReadingPayload, type LoadResult } from './load-generator.ts';
import { sampleTreeMemory, type TreeMemory } from './process-memory.ts';
import { countStoredOnce, judgeSoak, type SoakCount, type SoakSample, type SoakVerdict } from './soak-verdict.ts';
import { percentile, summarizeLatencies, type LatencySummary } from './stats.ts';
import { measureWriteUnits, readWriteUnitSums, type WriteUnitsMeasurement } from './write-units.ts';

export interface SoakOptions {
  readonly seconds: number;
  /** Readings per second across the devices. */
  readonly ratePerSecond: number;
  /** Where the rate came from, for the report ("--rate", "half the measured maximum", …). */
  readonly rateSource: string;
  /** @default 10_000 */
  readonly sampleIntervalMs?: number;
  readonly probeIntervalMs: number;
  /** How long to wait for the backlog to be stored after publishing stops. @default 60_000 */
  readonly drainMs?: number;
  readonly logger: Logger;
}

export interface SoakMeasurement {
  readonly seconds: number;
  readonly ratePerSecond: number;
  readonly rateSource: string;
  readonly devices: number;
  readonly sampleIntervalMs: number;
  readonly load: LoadResult;
  readonly samples: readonly SoakSample[];
  /** The probe's publish→stored latency over the whole soak (the samples have each interval's). */
  readonly latency: LatencySummary;
  /** Each process's share at the first and the last sample: where memory went. */
  readonly firstMemory: TreeMemory | undefined;
  readonly lastMemory: TreeMemory | undefined;
  /** After publishing stopped: how long until the latest items showed every acknowledged reading. */
  readonly drainedAfterMs: number | undefined;
  readonly count: SoakCount;
  readonly verdict: SoakVerdict;
  /**
   * DynamoDB write units per stored reading over the soak (its devices and probe), and the cost
   * model's for its composition. Folds of earlier readings that land during the soak count in it.
   */
  readonly writeUnits: WriteUnitsMeasurement;
}

const perDeviceRate = 25;

export async function runSoak(platform: PlatformProcess, options: SoakOptions): Promise<SoakMeasurement> {
  const { logger, seconds, ratePerSecond } = options;
  const sampleIntervalMs = options.sampleIntervalMs ?? 10_000;
  const deviceCount = Math.max(1, Math.ceil(ratePerSecond / perDeviceRate));
  const rootPid = platform.child.pid;
  const dataUrl = platform.endpoints.services['data']?.url;
  if (rootPid === undefined || !dataUrl) throw new Error('the platform process has no pid or no Data Service URL');

  const user = await createUser(platform);
  const reader = createDataServiceReader({ baseUrl: dataUrl, accessToken: user.tokens.accessToken });
  const registered = await mapWithLimit(
    Array.from({ length: deviceCount + 1 }, (_, i) => i),
    4,
    (i) => user.api.registerDevice(i === deviceCount ? 'bench soak probe' : `bench soak ${i + 1}`),
  );
  const probeDevice = registered[deviceCount] as RegisteredDevice;
  const devices = registered.slice(0, deviceCount);
  const tls = await deviceConnections(platform.endpoints);
  const perClient = ratePerSecond / deviceCount;
  const generator = await connectLoadGenerator({
    clients: devices.map((d) => ({ clientId: d.device.deviceId, topic: topics.telemetry(d.device.deviceId), connection: tls(d) })),
    // Bounded by the duration; the count is only a ceiling.
    messagesPerClient: Math.ceil(perClient * seconds) + 1,
    window: 10,
    maxPerSecondPerClient: perClient,
    durationMs: seconds * 1000,
    timeoutMs: seconds * 1000 + 60_000,
    payload: fleetReadingPayload,
    logger,
  });
  let probeClient: MqttClient | undefined;
  try {
    probeClient = await connectDevice(platform, probeDevice);
    const acknowledged = devices.map(() => new Set<number>());
    let acknowledgedTotal = 0;
    const ids = devices.map((d) => d.device.deviceId);
    const storedByLatest = async () => {
      const latest = await reader.latestMany(ids);
      return latest.reduce((sum, l) => sum + (l?.seq ?? 0), 0);
    };

    const probe = startProbe({
      client: probeClient,
      deviceId: probeDevice.device.deviceId,
      reader,
      intervalMs: options.probeIntervalMs,
      // Polled less often than in the ingest run: the soak keeps the poller busy for minutes.
      pollMs: 50,
      logger,
    });
    const unitsBefore = await readWriteUnitSums(platform);
    const started = Date.now();
    logger.info({ seconds, ratePerSecond, devices: deviceCount, rateSource: options.rateSource }, 'soak publishing');
    const run = generator.run({
      onAcknowledged: (client, seq) => {
        acknowledged[client]?.add(seq);
        acknowledgedTotal++;
      },
    });
    const samples: SoakSample[] = [];
    let firstMemory: TreeMemory | undefined;
    let lastMemory: TreeMemory | undefined;
    let finished = false;
    run.then(
      () => (finished = true),
      () => (finished = true),
    );
    const end = started + seconds * 1000;
    for (let next = started + sampleIntervalMs; next <= end; next += sampleIntervalMs) {
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      // Publishing ended before its time: every client was closed (the load result says why).
      if (finished && Date.now() < end - 1000) break;
      const [memory, stored] = await Promise.all([sampleTreeMemory(rootPid), storedByLatest()]);
      firstMemory ??= memory;
      lastMemory = memory;
      const latencies = probe.takeLatencies();
      const s: SoakSample = {
        atSeconds: Math.round((Date.now() - started) / 1000),
        rssBytes: memory.totalRssBytes,
        acknowledged: acknowledgedTotal,
        stored,
        latencyP50Ms: percentile(latencies, 50),
        latencyP99Ms: percentile(latencies, 99),
        latencySamples: latencies.length,
      };
      samples.push(s);
      logger.info({ ...s, rssMB: Math.round(s.rssBytes / 2 ** 20) }, 'soak sample');
    }
    const load = await run;
    probe.stopPublishing();

    // Drain: wait until the latest items show every acknowledged reading (or the drain time passes).
    const drainStarted = Date.now();
    let drainedAfterMs: number | undefined;
    while (Date.now() - drainStarted < (options.drainMs ?? 60_000)) {
      if ((await storedByLatest()) >= acknowledgedTotal) {
        drainedAfterMs = Date.now() - drainStarted;
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const probed = await probe.stop(2000);

    const stored = await mapWithLimit(ids, 4, async (id) => (await reader.raw(id, started - 1000, Date.now() + 1000)).map((r) => r.seq));
    const count = countStoredOnce(devices.map((_, i) => ({ acknowledged: acknowledged[i] ?? [], stored: stored[i] ?? [] })));
    // The load's readings carry one value (load-generator.ts), each device at its paced rate.
    const writeUnits = await measureWriteUnits(platform, {
      since: unitsBefore,
      storedAtLeast: count.storedOnce + probed.latenciesMs.length,
      composition: { intervalSeconds: 1 / perClient, metrics: 1 },
    });
    logger.info({ ...writeUnits }, 'soak write units per stored reading');
    return {
      seconds,
      ratePerSecond,
      rateSource: options.rateSource,
      devices: deviceCount,
      sampleIntervalMs,
      load,
      samples,
      latency: summarizeLatencies(probed.latenciesMs),
      firstMemory,
      lastMemory,
      drainedAfterMs,
      count,
      verdict: judgeSoak(samples, count, ratePerSecond),
      writeUnits,
    };
  } finally {
    await Promise.all([generator.close(), probeClient?.endAsync(true)]);
  }
}
