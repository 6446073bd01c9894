/**
 * `npm run bench`: Fleet's end-to-end ingest and its broker alone against Mosquitto's broker-only
 * rate, publish → browser live chart latency against the same probe through Mosquitto, same load
 * generator, same machine, same run (issues 3 and 9); the authenticated API read against bare
 * Fastify, the chart query on a day of 1 Hz data, DynamoDB write units per reading, the platform's
 * memory and the soak (issue 9). The composition root: reads argv and env, prints the table on
 * stdout, logs progress on stderr, writes the JSON figures.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import pino from 'pino';
import { repoRoot } from '@fleet/e2e';
import { localProcessEnvironment } from '@fleet/local-cloud';
import { benchUsage, parseBenchArgs, type BenchTarget } from './bench-options.ts';
import { measureApiRead, type ApiReadComparison } from './api-read.ts';
import type { PlatformProcess } from '@fleet/e2e';
import { measureChartQuery, type ChartQueryMeasurement } from './chart-query.ts';
import { measureFleetIngestOn, type FleetIngestMeasurement } from './fleet-ingest.ts';
import { measureFleetLive, type FleetLiveResult } from './fleet-live.ts';
import { measureMosquittoLive, type MosquittoLiveMeasurement } from './mosquitto-live.ts';
import { measureMosquitto, type MosquittoMeasurement } from './mosquitto-peer.ts';
import { settle, type Outcome } from './outcome.ts';
import { onPlatform, startBenchPlatform } from './platform-session.ts';
import { sampleTreeMemory } from './process-memory.ts';
import { buildReport, formatReport, type MachineInfo, type PlatformMemory } from './report.ts';
import { soakRate } from './soak-rate.ts';
import { runSoak, type SoakMeasurement } from './soak.ts';

// The platform's launcher inherits this environment: give it what `npm start`'s script gives it, so
// that the bench measures the memory of the platform as `npm start` runs it (process-memory-settings.ts).
Object.assign(process.env, localProcessEnvironment);

const parsed = parseBenchArgs(process.argv.slice(2));
if (parsed.kind === 'help') {
  console.log(benchUsage);
  process.exit(0);
}
if (parsed.kind === 'invalid') {
  console.error(`${parsed.errors.join('\n')}\n\n${benchUsage}`);
  process.exit(2);
}
const options = parsed.options;

const logger = pino(
  {
    level: process.env['LOG_LEVEL'] ?? 'info',
    transport: process.stderr.isTTY
      ? { target: 'pino-pretty', options: { destination: 2, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' } }
      : undefined,
  },
  process.stderr.isTTY ? undefined : pino.destination(2),
);

const machine: MachineInfo = {
  cores: cpus().length,
  cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
  nodeVersion: process.version,
  platform: `${process.platform}-${process.arch}`,
  totalMemoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  loadAverageAtStart: loadavg()[0] ?? 0,
};

function attempt<T>(enabled: boolean, what: string, run: () => Promise<T>): Promise<Outcome<T>> {
  if (enabled) logger.info(`measuring ${what}`);
  return settle(enabled, run, (err) => logger.error({ err }, `${what} failed`));
}

const wants = (target: BenchTarget) => options.targets.includes(target);

// Mosquitto first: it needs a few seconds, and Fleet's platform processes are not yet competing for the cores.
// It is the broker alone's peer too, so `--only broker` measures it.
const mosquitto: Outcome<MosquittoMeasurement> = await attempt(wants('mosquitto') || wants('broker'), 'Mosquitto publish→subscribe', () =>
  measureMosquitto({
    clients: options.devices,
    messagesPerClient: options.readings,
    window: options.window,
    timeoutMs: options.timeoutMs,
    logger,
  }),
);
const mosquittoLive: Outcome<MosquittoLiveMeasurement> = await attempt(
  wants('browser'),
  'Mosquitto publish→WebSocket subscriber latency',
  () =>
    measureMosquittoLive({
      clients: options.devices,
      messagesPerClient: options.readings,
      window: options.window,
      probes: options.liveProbes,
      intervalMs: options.probeIntervalMs,
      timeoutMs: options.timeoutMs,
      logger,
    }),
);

// The ingest run, the soak and the chart query share one platform process: its memory is followed
// from start through the ingest run and the soak (see platform-session.ts for the order).
let fleet: Outcome<FleetIngestMeasurement> = { ok: 'skipped' };
let soak: Outcome<SoakMeasurement> = { ok: 'skipped' };
let chart: Outcome<ChartQueryMeasurement> = { ok: 'skipped' };
const memory: PlatformMemory = {};
const onPlatformTargets = (['fleet', 'soak', 'chart'] as const).filter((t) => wants(t));
if (onPlatformTargets.length > 0) {
  const session: Outcome<{ platform: PlatformProcess; platformStartMs: number }> = await attempt(true, 'Fleet platform start', () =>
    startBenchPlatform(logger, { dataTasks: options.dataTasks, flushSpacingMs: options.flushSpacingMs }),
  );
  if (session.ok !== true) {
    const failed = session.ok === false ? session : { ok: false as const, error: 'the platform was not started' };
    if (wants('fleet')) fleet = failed;
    if (wants('soak')) soak = failed;
    if (wants('chart')) chart = failed;
  } else {
    const { platform, platformStartMs } = session.result;
    const rootPid = platform.child.pid ?? -1;
    try {
      memory.platformStartMs = platformStartMs;
      memory.atStart = await sampleTreeMemory(rootPid);
      fleet = await attempt(wants('fleet'), 'Fleet end to end', () =>
        onPlatform(platform, (p) =>
          measureFleetIngestOn(p, {
            devices: options.devices,
            readingsPerDevice: options.readings,
            window: options.window,
            probeIntervalMs: options.probeIntervalMs,
            timeoutMs: options.timeoutMs,
            logger,
          }),
        ),
      );
      if (fleet.ok === true) memory.afterIngest = await sampleTreeMemory(rootPid);
      const measured = fleet.ok === true ? fleet.result.storedPerSecond : undefined;
      const rate = soakRate(options.soakRate, measured);
      soak = await attempt(wants('soak'), `soak of ${options.soakSeconds} s at ${rate.ratePerSecond} readings/s`, () =>
        onPlatform(platform, (p) =>
          runSoak(p, { seconds: options.soakSeconds, ...rate, probeIntervalMs: options.probeIntervalMs, logger }),
        ),
      );
      chart = await attempt(wants('chart'), 'chart query on 24 h of 1 Hz data and on a year', () =>
        onPlatform(platform, (p) => measureChartQuery(p, { queries: options.chartQueries, yearReadingIntervalMs: 3_600_000, logger })),
      );
      if (chart.ok === true) memory.afterChart = await sampleTreeMemory(rootPid);
    } finally {
      await platform.stop();
    }
  }
}

// One platform for both live figures; each settles on its own.
let live: FleetLiveResult = { broker: { ok: 'skipped' }, browser: { ok: 'skipped' } };
if (wants('broker') || wants('browser')) {
  logger.info('measuring Fleet broker alone and publish→browser latency');
  live = await measureFleetLive({
    broker: wants('broker'),
    browser: wants('browser'),
    devices: options.devices,
    readingsPerDevice: options.readings,
    window: options.window,
    probeIntervalMs: options.probeIntervalMs,
    liveProbes: options.liveProbes,
    timeoutMs: options.timeoutMs,
    logger,
  });
}

const apiRead: Outcome<ApiReadComparison> = await attempt(wants('api'), 'API read vs bare Fastify', () =>
  measureApiRead({ devices: options.devices, connections: 10, durationSeconds: options.readSeconds, logger }),
);

const report = buildReport({
  generatedAt: new Date(),
  machine,
  options,
  mosquitto,
  fleet,
  fleetBroker: live.broker,
  browserLive: live.browser,
  mosquittoLive,
  apiRead,
  chart,
  soak,
  memory,
});
process.stdout.write(formatReport(report));
const out = resolve(repoRoot, options.out);
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`Figures written to ${out}`);
// A failed measurement fails the command (CI notices); an incomplete Fleet run is a figure, not a failure.
process.exitCode = [mosquitto, fleet, live.broker, live.browser, mosquittoLive, apiRead, chart, soak].some((o) => o.ok === false) ? 1 : 0;
