/**
 * The benchmark's output: one JSON document (for quoting) and a readable table built from it.
 * Both are pure so the wording is tested without running a broker.
 */
import type { ApiReadComparison } from './api-read.ts';
import type { BenchOptions } from './bench-options.ts';
import type { FleetIngestMeasurement } from './fleet-ingest.ts';
import type { MosquittoMeasurement } from './mosquitto-peer.ts';
import type { ChartQueryMeasurement } from './chart-query.ts';
import type { TreeMemory } from './process-memory.ts';
import type { SoakMeasurement } from './soak.ts';
import { platformRows, soakLines } from './report-platform-rows.ts';
import { ratio } from './stats.ts';

export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly nodeVersion: string;
  readonly platform: string;
  readonly totalMemoryGiB: number;
  /** 1-minute load average when the run started: the machine is shared, figures move with it. */
  readonly loadAverageAtStart: number;
}

/** The platform process tree's memory at the points of the run (the soak samples its own). */
export interface PlatformMemory {
  platformStartMs?: number;
  /** Once every process is up and healthy, before any device or reading. */
  atStart?: TreeMemory;
  /** After the ingest run (warm-up, load, probes) was stored. */
  afterIngest?: TreeMemory;
  /** After the chart query's day of readings was stored and queried. */
  afterChart?: TreeMemory;
}

/** A measured peer, or why it has no figure. */
export type Outcome<T> =
  | { readonly ok: true; readonly result: T }
  /** `error` is one line for the table; `detail` the full message (and output) for the JSON. */
  | { readonly ok: false; readonly error: string; readonly detail?: string }
  | { readonly ok: 'skipped' };

export interface BenchReport {
  readonly generatedAt: string;
  readonly machine: MachineInfo;
  readonly options: Omit<BenchOptions, 'out' | 'targets'>;
  readonly mosquitto: Outcome<MosquittoMeasurement>;
  readonly fleet: Outcome<FleetIngestMeasurement>;
  readonly apiRead: Outcome<ApiReadComparison>;
  readonly chart: Outcome<ChartQueryMeasurement>;
  readonly soak: Outcome<SoakMeasurement>;
  readonly memory: PlatformMemory;
  /** The headline figures, flattened for quoting. */
  readonly figures: {
    readonly mosquittoPublishToSubscribePerSecond: number | undefined;
    readonly fleetBrokerAcknowledgedPerSecond: number | undefined;
    readonly fleetEndToEndStoredPerSecond: number | undefined;
    readonly fleetEndToEndComplete: boolean | undefined;
    readonly fleetPublishToStoredP50Ms: number | undefined;
    readonly fleetPublishToStoredP99Ms: number | undefined;
    /** Fleet end-to-end stored/s ÷ Mosquitto publish→subscribe msg/s (same generator, same load). */
    readonly fleetToMosquittoRatio: number | undefined;
    readonly apiReadPerSecond: number | undefined;
    readonly bareFastifyPerSecond: number | undefined;
    /** Authenticated `GET /api/devices` through the gateway ÷ bare Fastify hello world (same autocannon run). */
    readonly apiToFastifyRatio: number | undefined;
    /** Chart of 24 h of 1 Hz data (500 points), one request at a time. */
    readonly chartDataServiceP50Ms: number | undefined;
    readonly chartDataServiceP99Ms: number | undefined;
    readonly chartApiP50Ms: number | undefined;
    readonly chartApiP99Ms: number | undefined;
    /** DynamoDB write units (telemetry + latest) per stored reading of the ingest run. */
    readonly writeUnitsPerReading: number | undefined;
    /** RSS sum of the platform's processes, MiB. */
    readonly platformRssAtStartMiB: number | undefined;
    readonly platformRssAfterIngestMiB: number | undefined;
    readonly soakRssMaxMiB: number | undefined;
    readonly soakMemoryFlat: boolean | undefined;
    readonly soakLatencyFlat: boolean | undefined;
    readonly soakKeptUp: boolean | undefined;
    readonly soakStoredOnce: boolean | undefined;
  };
}

const mib = (bytes: number | undefined) => (bytes === undefined ? undefined : Math.round(bytes / 2 ** 20));

export function buildReport(input: {
  generatedAt: Date;
  machine: MachineInfo;
  options: BenchOptions;
  mosquitto: Outcome<MosquittoMeasurement>;
  fleet: Outcome<FleetIngestMeasurement>;
  apiRead: Outcome<ApiReadComparison>;
  chart?: Outcome<ChartQueryMeasurement>;
  soak?: Outcome<SoakMeasurement>;
  memory?: PlatformMemory;
}): BenchReport {
  const chart = input.chart ?? { ok: 'skipped' };
  const soak = input.soak ?? { ok: 'skipped' };
  const memory = input.memory ?? {};
  const c = chart.ok === true ? chart.result : undefined;
  const k = soak.ok === true ? soak.result : undefined;
  const m = input.mosquitto.ok === true ? input.mosquitto.result : undefined;
  const f = input.fleet.ok === true ? input.fleet.result : undefined;
  const r = input.apiRead.ok === true ? input.apiRead.result : undefined;
  const { out: _out, targets: _targets, ...options } = input.options;
  return {
    generatedAt: input.generatedAt.toISOString(),
    machine: input.machine,
    options,
    mosquitto: input.mosquitto,
    fleet: input.fleet,
    apiRead: input.apiRead,
    chart,
    soak,
    memory,
    figures: {
      mosquittoPublishToSubscribePerSecond: m?.publishToSubscribePerSecond,
      fleetBrokerAcknowledgedPerSecond: f?.load.acknowledgedPerSecond,
      fleetEndToEndStoredPerSecond: f?.storedPerSecond,
      fleetEndToEndComplete: f?.complete,
      fleetPublishToStoredP50Ms: f?.latency.p50Ms,
      fleetPublishToStoredP99Ms: f?.latency.p99Ms,
      fleetToMosquittoRatio: ratio(f?.storedPerSecond, m?.publishToSubscribePerSecond),
      apiReadPerSecond: r?.api.requestsPerSecond,
      bareFastifyPerSecond: r?.fastify.requestsPerSecond,
      apiToFastifyRatio: ratio(r?.api.requestsPerSecond, r?.fastify.requestsPerSecond),
      chartDataServiceP50Ms: c?.dataService.p50Ms,
      chartDataServiceP99Ms: c?.dataService.p99Ms,
      chartApiP50Ms: c?.api.p50Ms,
      chartApiP99Ms: c?.api.p99Ms,
      writeUnitsPerReading: f?.writeUnits.unitsPerReading,
      platformRssAtStartMiB: mib(memory.atStart?.totalRssBytes),
      platformRssAfterIngestMiB: mib(memory.afterIngest?.totalRssBytes),
      soakRssMaxMiB: k && k.samples.length > 0 ? mib(Math.max(...k.samples.map((x) => x.rssBytes))) : undefined,
      soakMemoryFlat: k?.verdict.memoryFlat,
      soakLatencyFlat: k?.verdict.latencyFlat,
      soakKeptUp: k?.verdict.keptUp,
      soakStoredOnce: k?.verdict.storedOnce,
    },
  };
}

const rate = (n: number | undefined) => (n === undefined ? '—' : Math.round(n).toLocaleString('en-US'));
const ms = (n: number | undefined) => (n === undefined ? '—' : String(Math.round(n)));

function failure(outcome: Outcome<unknown>): string {
  if (outcome.ok === 'skipped') return 'skipped';
  if (outcome.ok === false) return 'FAILED';
  return '';
}

/** The human-readable table printed by `npm run bench`. */
export function formatReport(report: BenchReport): string {
  const { machine, options, figures } = report;
  const rows: [string, string, string][] = [];
  const m = report.mosquitto.ok === true ? report.mosquitto.result : undefined;
  const f = report.fleet.ok === true ? report.fleet.result : undefined;

  rows.push([
    `Mosquitto ${m?.brokerVersion ?? ''} publish→subscribe (TCP)`.replace('  ', ' '),
    m ? `${rate(m.publishToSubscribePerSecond)} msg/s` : failure(report.mosquitto),
    m
      ? `${m.received}/${m.expected} received in ${m.elapsedMs} ms${m.complete ? '' : ' INCOMPLETE'}` +
        (m.runs.length > 1 ? `; median of ${m.runs.length} runs (${m.runs.map(rate).join(', ')})` : '')
      : '',
  ]);
  rows.push([
    'Fleet broker acknowledged publishes (TLS)',
    f ? `${rate(f.load.acknowledgedPerSecond)} msg/s` : failure(report.fleet),
    f
      ? `${f.load.acknowledged}/${f.load.published} PUBACKs in ${f.load.elapsedMs} ms, ≤ ${f.maxPerSecondPerDevice}/s per device (AWS IoT quota)`
      : '',
  ]);
  if (f) {
    const lost = f.droppedByRulesEngine ? `; ${f.droppedByRulesEngine} dropped by the local rules engine` : '';
    rows.push([
      'Fleet end-to-end stored readings',
      `${rate(f.storedPerSecond)} readings/s`,
      f.complete
        ? `${f.stored}/${f.expected} stored in ${f.elapsedMs} ms`
        : `INCOMPLETE: ${f.stored}/${f.expected} stored (last progress after ${f.elapsedMs} ms)${lost}`,
    ]);
    const l = f.latency;
    rows.push([
      'Fleet publish→stored latency p50 / p99',
      `${ms(l.p50Ms)} / ${ms(l.p99Ms)} ms`,
      `${l.probesStored}/${l.probesPublished} probes, one per ${l.probeIntervalMs} ms, polled every ${l.pollIntervalMs} ms; max ${ms(l.maxMs)} ms`,
    ]);
  }
  rows.push([
    'Ratio Fleet end-to-end / Mosquitto',
    figures.fleetToMosquittoRatio === undefined ? '—' : figures.fleetToMosquittoRatio.toFixed(3),
    f && !f.complete ? 'Fleet run incomplete: the ratio is of what was stored' : '',
  ]);

  const r = report.apiRead.ok === true ? report.apiRead.result : undefined;
  if (report.apiRead.ok !== 'skipped') {
    const read = (x: ApiReadComparison['api']) =>
      `p50 / p99 ${ms(x.p50Ms)} / ${ms(x.p99Ms)} ms${x.non2xx + x.errors > 0 ? `; ${x.non2xx} non-2xx, ${x.errors} errors` : ''}`;
    rows.push([
      'API GET /api/devices, signed in (gateway)',
      r ? `${rate(r.api.requestsPerSecond)} req/s` : failure(report.apiRead),
      r ? `${read(r.api)}; ${r.devices} devices, ${r.connections} connections × ${r.durationSeconds} s (autocannon)` : '',
    ]);
    rows.push(['Bare Fastify hello world', r ? `${rate(r.fastify.requestsPerSecond)} req/s` : '', r ? read(r.fastify) : '']);
    rows.push(['Ratio API read / bare Fastify', figures.apiToFastifyRatio === undefined ? '—' : figures.apiToFastifyRatio.toFixed(3), '']);
  }

  rows.push(...platformRows(report));

  const notes: string[] = [];
  if (report.mosquitto.ok === false) notes.push(`Mosquitto failed: ${report.mosquitto.error}`);
  if (report.fleet.ok === false) notes.push(`Fleet failed: ${report.fleet.error}`);
  if (report.apiRead.ok === false) notes.push(`API read failed: ${report.apiRead.error}`);
  if (report.chart.ok === false) notes.push(`Chart query failed: ${report.chart.error}`);
  if (report.soak.ok === false) notes.push(`Soak failed: ${report.soak.error}`);
  const soak = soakLines(report);

  const widths = [0, 1].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = rows.map(([a, b, c]) => `  ${a.padEnd(widths[0]!)}  ${b.padStart(widths[1]!)}  ${c}`.trimEnd());
  return [
    `Fleet benchmark — ${options.devices} clients × ${options.readings} QoS 1 messages, in-flight window ${options.window}`,
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.totalMemoryGiB} GiB, Node ${machine.nodeVersion}, ${machine.platform}, load average ${machine.loadAverageAtStart.toFixed(2)} at start`,
    '',
    ...lines,
    ...(soak.length > 0 ? ['', ...soak] : []),
    ...(notes.length > 0 ? ['', ...notes] : []),
    '',
  ].join('\n');
}
