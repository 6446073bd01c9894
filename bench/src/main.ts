/**
 * `npm run bench`: Fleet's end-to-end ingest against Mosquitto's broker-only rate, same load
 * generator, same machine, same run (issue 3). The composition root: reads argv and env, prints
 * the table on stdout, logs progress on stderr, writes the JSON figures.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import pino from 'pino';
import { repoRoot } from '@fleet/e2e';
import { benchUsage, parseBenchArgs } from './bench-options.ts';
import { measureApiRead, type ApiReadComparison } from './api-read.ts';
import { measureFleetIngest, type FleetIngestMeasurement } from './fleet-ingest.ts';
import { measureMosquitto, type MosquittoMeasurement } from './mosquitto-peer.ts';
import { buildReport, formatReport, type MachineInfo, type Outcome } from './report.ts';

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

async function attempt<T>(enabled: boolean, what: string, run: () => Promise<T>): Promise<Outcome<T>> {
  if (!enabled) return { ok: 'skipped' };
  logger.info(`measuring ${what}`);
  try {
    return { ok: true, result: await run() };
  } catch (err) {
    const error = err as Error;
    logger.error({ err }, `${what} failed`);
    const cause = error.cause instanceof Error ? `\n${error.cause.message}` : '';
    return { ok: false, error: error.message.split('\n')[0] ?? String(err), detail: `${error.message}${cause}` };
  }
}

// Mosquitto first: it needs a few seconds, and Fleet's platform processes are not yet competing for the cores.
const mosquitto: Outcome<MosquittoMeasurement> = await attempt(options.targets.includes('mosquitto'), 'Mosquitto publish→subscribe', () =>
  measureMosquitto({
    clients: options.devices,
    messagesPerClient: options.readings,
    window: options.window,
    timeoutMs: options.timeoutMs,
    logger,
  }),
);
const fleet: Outcome<FleetIngestMeasurement> = await attempt(options.targets.includes('fleet'), 'Fleet end to end', () =>
  measureFleetIngest({
    devices: options.devices,
    readingsPerDevice: options.readings,
    window: options.window,
    probeIntervalMs: options.probeIntervalMs,
    dataTasks: options.dataTasks,
    timeoutMs: options.timeoutMs,
    logger,
  }),
);

const apiRead: Outcome<ApiReadComparison> = await attempt(options.targets.includes('api'), 'API read vs bare Fastify', () =>
  measureApiRead({ devices: options.devices, connections: 10, durationSeconds: options.readSeconds, logger }),
);

const report = buildReport({ generatedAt: new Date(), machine, options, mosquitto, fleet, apiRead });
process.stdout.write(formatReport(report));
const out = resolve(repoRoot, options.out);
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`Figures written to ${out}`);
// A failed measurement fails the command (CI notices); an incomplete Fleet run is a figure, not a failure.
process.exitCode = mosquitto.ok === false || fleet.ok === false ? 1 : 0;
