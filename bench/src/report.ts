/**
 * The benchmark's output: one JSON document (for quoting) and a readable table built from it.
 * Both are pure so the wording is tested without running a broker.
 */
import type { ApiReadComparison, PlatformRead } from './api-read.ts';
import type { BenchOptions } from './bench-options.ts';
import type { FleetBrokerMeasurement } from './fleet-broker.ts';
import type { FleetIngestMeasurement } from './fleet-ingest.ts';
import type { BrowserLiveMeasurement } from './fleet-live.ts';
import type { MosquittoLiveMeasurement } from './mosquitto-live.ts';
import type { MosquittoMeasurement } from './mosquitto-peer.ts';
import type { Outcome } from './outcome.ts';
import type { ChartQueryMeasurement } from './chart-query.ts';
import type { TreeMemory } from './process-memory.ts';
import type { SoakMeasurement } from './soak.ts';
import { goalLines, judgeGoals, type GoalVerdict } from './goals.ts';
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

export type { Outcome } from './outcome.ts';

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

export interface BenchReport {
  readonly generatedAt: string;
  readonly machine: MachineInfo;
  readonly options: Omit<BenchOptions, 'out' | 'targets'>;
  readonly mosquitto: Outcome<MosquittoMeasurement>;
  readonly fleet: Outcome<FleetIngestMeasurement>;
  /** Fleet's broker alone: device publishes → one QoS 1 subscriber of every device's telemetry. */
  readonly fleetBroker: Outcome<FleetBrokerMeasurement>;
  /** Publish → the browser live chart's subscriber, under load. */
  readonly browserLive: Outcome<BrowserLiveMeasurement>;
  /** Its peer: the same phase on Mosquitto, the subscriber over WebSocket. */
  readonly mosquittoLive: Outcome<MosquittoLiveMeasurement>;
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
    /** Broker alone: messages delivered to the subscriber ÷ (first publish → last delivered), median of the runs. */
    readonly fleetBrokerDeliveredPerSecond: number | undefined;
    /** Broker alone: PUBACKs ÷ (first publish → last PUBACK) of the same run. */
    readonly fleetBrokerPubackPerSecond: number | undefined;
    readonly fleetBrokerComplete: boolean | undefined;
    readonly fleetBrokerPublishToDeliverP50Ms: number | undefined;
    readonly fleetBrokerPublishToDeliverP99Ms: number | undefined;
    /** Fleet broker alone delivered/s ÷ Mosquitto publish→subscribe msg/s (same generator, same load). */
    readonly fleetBrokerToMosquittoRatio: number | undefined;
    readonly publishToBrowserP50Ms: number | undefined;
    readonly publishToBrowserP99Ms: number | undefined;
    readonly mosquittoPublishToWebSocketP50Ms: number | undefined;
    readonly mosquittoPublishToWebSocketP99Ms: number | undefined;
    readonly apiReadPerSecond: number | undefined;
    /** Authenticated `GET /api/devices/:id` through the gateway, one device. */
    readonly apiDeviceReadPerSecond: number | undefined;
    readonly bareFastifyPerSecond: number | undefined;
    /** Authenticated `GET /api/devices` through the gateway ÷ bare Fastify hello world (same autocannon run). */
    readonly apiToFastifyRatio: number | undefined;
    /** Chart of 24 h of 1 Hz data (500 points), one request at a time. */
    readonly chartDataServiceP50Ms: number | undefined;
    readonly chartDataServiceP99Ms: number | undefined;
    readonly chartApiP50Ms: number | undefined;
    readonly chartApiP99Ms: number | undefined;
    readonly chartYearDataServiceP50Ms: number | undefined;
    readonly chartYearDataServiceP99Ms: number | undefined;
    readonly chartYearApiP50Ms: number | undefined;
    readonly chartYearApiP99Ms: number | undefined;
    /** DynamoDB write units (telemetry + latest + rollups) per stored reading of the ingest run. */
    readonly writeUnitsPerReading: number | undefined;
    /** RSS sum of the platform's processes, MiB. */
    readonly platformRssAtStartMiB: number | undefined;
    readonly platformRssAfterIngestMiB: number | undefined;
    readonly soakRssMaxMiB: number | undefined;
    readonly soakMemoryFlat: boolean | undefined;
    readonly soakLatencyFlat: boolean | undefined;
    readonly soakKeptUp: boolean | undefined;
    readonly soakStoredOnce: boolean | undefined;
    /** DynamoDB write units (telemetry + latest + rollups) per stored reading of the soak: the steady state. */
    readonly soakWriteUnitsPerReading: number | undefined;
  };
  /** Each of issue 9's goals against this run's figure (goals.ts). */
  readonly goals: readonly GoalVerdict[];
}

const mib = (bytes: number | undefined) => (bytes === undefined ? undefined : Math.round(bytes / 2 ** 20));

export function buildReport(input: {
  generatedAt: Date;
  machine: MachineInfo;
  options: BenchOptions;
  mosquitto: Outcome<MosquittoMeasurement>;
  fleet: Outcome<FleetIngestMeasurement>;
  fleetBroker: Outcome<FleetBrokerMeasurement>;
  browserLive: Outcome<BrowserLiveMeasurement>;
  mosquittoLive: Outcome<MosquittoLiveMeasurement>;
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
  const b = input.fleetBroker.ok === true ? input.fleetBroker.result : undefined;
  const live = input.browserLive.ok === true ? input.browserLive.result : undefined;
  const mLive = input.mosquittoLive.ok === true ? input.mosquittoLive.result : undefined;
  const r = input.apiRead.ok === true ? input.apiRead.result : undefined;
  const { out: _out, targets: _targets, ...options } = input.options;
  const report: Omit<BenchReport, 'goals'> = {
    generatedAt: input.generatedAt.toISOString(),
    machine: input.machine,
    options,
    mosquitto: input.mosquitto,
    fleet: input.fleet,
    fleetBroker: input.fleetBroker,
    browserLive: input.browserLive,
    mosquittoLive: input.mosquittoLive,
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
      fleetBrokerDeliveredPerSecond: b?.publishToSubscribePerSecond,
      fleetBrokerPubackPerSecond: b?.load.acknowledgedPerSecond,
      fleetBrokerComplete: b?.complete,
      fleetBrokerPublishToDeliverP50Ms: b?.publishToDelivery.p50Ms,
      fleetBrokerPublishToDeliverP99Ms: b?.publishToDelivery.p99Ms,
      fleetBrokerToMosquittoRatio: ratio(b?.publishToSubscribePerSecond, m?.publishToSubscribePerSecond),
      publishToBrowserP50Ms: live?.latency.p50Ms,
      publishToBrowserP99Ms: live?.latency.p99Ms,
      mosquittoPublishToWebSocketP50Ms: mLive?.latency.p50Ms,
      mosquittoPublishToWebSocketP99Ms: mLive?.latency.p99Ms,
      apiReadPerSecond: r?.api.requestsPerSecond,
      apiDeviceReadPerSecond: r?.device.requestsPerSecond,
      bareFastifyPerSecond: r?.fastify.requestsPerSecond,
      apiToFastifyRatio: ratio(r?.api.requestsPerSecond, r?.fastify.requestsPerSecond),
      chartDataServiceP50Ms: c?.dataService.p50Ms,
      chartDataServiceP99Ms: c?.dataService.p99Ms,
      chartApiP50Ms: c?.api.p50Ms,
      chartApiP99Ms: c?.api.p99Ms,
      chartYearDataServiceP50Ms: c?.year?.dataService.p50Ms,
      chartYearDataServiceP99Ms: c?.year?.dataService.p99Ms,
      chartYearApiP50Ms: c?.year?.api.p50Ms,
      chartYearApiP99Ms: c?.year?.api.p99Ms,
      writeUnitsPerReading: f?.writeUnits.unitsPerReading,
      platformRssAtStartMiB: mib(memory.atStart?.totalRssBytes),
      platformRssAfterIngestMiB: mib(memory.afterIngest?.totalRssBytes),
      soakRssMaxMiB: k && k.samples.length > 0 ? mib(Math.max(...k.samples.map((x) => x.rssBytes))) : undefined,
      soakMemoryFlat: k?.verdict.memoryFlat,
      soakLatencyFlat: k?.verdict.latencyFlat,
      soakKeptUp: k?.verdict.keptUp,
      soakStoredOnce: k?.verdict.storedOnce,
      soakWriteUnitsPerReading: k?.writeUnits.unitsPerReading,
    },
  };
  return { ...report, goals: judgeGoals(report) };
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

  // Left out when not run (`--only browser`, `--only api`) rather than shown as skipped.
  if (report.mosquitto.ok !== 'skipped') {
    rows.push([
      `Mosquitto ${m?.brokerVersion ?? ''} publish→subscribe (TCP)`.replace('  ', ' '),
      m ? `${rate(m.publishToSubscribePerSecond)} msg/s` : failure(report.mosquitto),
      m
        ? `${m.received}/${m.expected} received in ${m.elapsedMs} ms${m.complete ? '' : ' INCOMPLETE'}` +
          (m.runs.length > 1 ? `; median of ${m.runs.length} runs (${m.runs.map(rate).join(', ')})` : '')
        : '',
    ]);
  }
  // The end-to-end rows only when the Fleet end-to-end phase was asked for (`--only broker` leaves it out).
  if (report.fleet.ok !== 'skipped') {
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
          ? `${f.stored}/${f.expected} stored in ${f.elapsedMs} ms, ${f.duplicates} duplicates`
          : `INCOMPLETE: ${f.stored}/${f.expected} stored (last progress after ${f.elapsedMs} ms), ${f.duplicates} duplicates${lost}`,
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
  }

  rows.push(...brokerRows(report), ...liveRows(report));

  const r = report.apiRead.ok === true ? report.apiRead.result : undefined;
  if (report.apiRead.ok !== 'skipped') {
    const read = (x: ApiReadComparison['fastify']) =>
      `p50 / p99 ${ms(x.p50Ms)} / ${ms(x.p99Ms)} ms${x.non2xx + x.errors > 0 ? `; ${x.non2xx} non-2xx, ${x.errors} errors` : ''}`;
    rows.push([
      'API GET /api/devices, signed in (gateway)',
      r ? `${rate(r.api.requestsPerSecond)} req/s` : failure(report.apiRead),
      r ? `${read(r.api)}; ${r.devices} devices, ${r.connections} connections × ${r.durationSeconds} s (autocannon)` : '',
    ]);
    if (r) rows.push(cpuRow('  CPU per list read', r.api));
    rows.push([
      'API GET /api/devices/:id, signed in (gateway)',
      r ? `${rate(r.device.requestsPerSecond)} req/s` : '',
      r ? `${read(r.device)}; one device, ${r.connections} connections × ${r.durationSeconds} s` : '',
    ]);
    if (r) rows.push(cpuRow('  CPU per device read', r.device));
    rows.push(['Bare Fastify hello world', r ? `${rate(r.fastify.requestsPerSecond)} req/s` : '', r ? read(r.fastify) : '']);
    rows.push(['Ratio API read / bare Fastify', figures.apiToFastifyRatio === undefined ? '—' : figures.apiToFastifyRatio.toFixed(3), '']);
  }

  rows.push(...platformRows(report));

  const notes: string[] = [];
  if (report.mosquitto.ok === false) notes.push(`Mosquitto failed: ${report.mosquitto.error}`);
  if (report.fleet.ok === false) notes.push(`Fleet failed: ${report.fleet.error}`);
  if (report.fleetBroker.ok === false) notes.push(`Fleet broker alone failed: ${report.fleetBroker.error}`);
  if (report.browserLive.ok === false) notes.push(`Publish→browser latency failed: ${report.browserLive.error}`);
  if (report.mosquittoLive.ok === false) notes.push(`Mosquitto live peer failed: ${report.mosquittoLive.error}`);
  if (report.apiRead.ok === false) notes.push(`API read failed: ${report.apiRead.error}`);
  if (report.chart.ok === false) notes.push(`Chart query failed: ${report.chart.error}`);
  if (report.soak.ok === false) notes.push(`Soak failed: ${report.soak.error}`);
  const soak = soakLines(report);
  const goals = goalLines(report.goals);

  const widths = [0, 1].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = rows.map(([a, b, c]) => `  ${a.padEnd(widths[0]!)}  ${b.padStart(widths[1]!)}  ${c}`.trimEnd());
  return [
    `Fleet benchmark — ${options.devices} clients × ${options.readings} QoS 1 messages, in-flight window ${options.window}${options.dataTasks > 1 ? `, ${options.dataTasks} Data Service tasks` : ''}${options.flushSpacingMs !== undefined ? `, flush spacing ${options.flushSpacingMs} ms` : ''}`,
    `Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.totalMemoryGiB} GiB, Node ${machine.nodeVersion}, ${machine.platform}, load average ${machine.loadAverageAtStart.toFixed(2)} at start`,
    '',
    ...lines,
    ...(soak.length > 0 ? ['', ...soak] : []),
    ...(goals.length > 0 ? ['', ...goals] : []),
    ...(notes.length > 0 ? ['', ...notes] : []),
    '',
  ].join('\n');
}

/** The broker-alone rows: Fleet's delivered/s with its PUBACK rate and publish→deliver, and the ratio to Mosquitto. */
/** The platform's CPU per request of a read, and each process's share (largest first). */
function cpuRow(name: string, read: PlatformRead): [string, string, string] {
  const shares = Object.entries(read.cpuMsPerRequest).sort((a, b) => b[1] - a[1]);
  const total = shares.reduce((sum, [, v]) => sum + v, 0);
  const detail = shares
    .filter(([, v]) => v >= 0.005)
    .map(([label, v]) => `${label} ${v.toFixed(2)}`)
    .join(', ');
  return [name, `${total.toFixed(2)} ms`, detail];
}

function brokerRows(report: BenchReport): [string, string, string][] {
  if (report.fleetBroker.ok === 'skipped') return [];
  const b = report.fleetBroker.ok === true ? report.fleetBroker.result : undefined;
  const ratioFigure = report.figures.fleetBrokerToMosquittoRatio;
  return [
    [
      'Fleet broker alone publish→deliver (TLS → WS)',
      b ? `${rate(b.publishToSubscribePerSecond)} msg/s` : failure(report.fleetBroker),
      b
        ? `${b.received}/${b.expected} delivered in ${b.elapsedMs} ms${b.complete ? '' : ' INCOMPLETE'}` +
          (b.runs.length > 1 ? `; median of ${b.runs.length} runs (${b.runs.map(rate).join(', ')})` : '') +
          `; PUBACKs ${rate(b.load.acknowledgedPerSecond)}/s; publish→deliver p50 / p99 ${ms(b.publishToDelivery.p50Ms)} / ${ms(b.publishToDelivery.p99Ms)} ms` +
          `; ≤ ${b.maxPerSecondPerDevice}/s per device; rules engine attached (PUBACK and delivery wait for the queue)`
        : '',
    ],
    [
      'Ratio Fleet broker alone / Mosquitto',
      ratioFigure === undefined ? '—' : ratioFigure.toFixed(3),
      report.mosquitto.ok === true ? '' : 'no Mosquitto figure in this run',
    ],
  ];
}

/** The live rows: publish→browser latency under load, and the same probe through Mosquitto over WebSocket. */
function liveRows(report: BenchReport): [string, string, string][] {
  const rows: [string, string, string][] = [];
  const probes = (l: { probesReceived: number; probesPublished: number; probeIntervalMs: number; duplicates: number }) =>
    `${l.probesReceived}/${l.probesPublished} probes, one per ${l.probeIntervalMs} ms${l.duplicates > 0 ? `, ${l.duplicates} duplicates` : ''}`;
  const under = (load: { published: number; acknowledgedPerSecond: number }) =>
    `under load (${load.published} readings at ${rate(load.acknowledgedPerSecond)}/s)`;
  if (report.browserLive.ok !== 'skipped') {
    const l = report.browserLive.ok === true ? report.browserLive.result : undefined;
    rows.push([
      'Fleet publish→browser live chart p50 / p99',
      l ? `${ms(l.latency.p50Ms)} / ${ms(l.latency.p99Ms)} ms` : failure(report.browserLive),
      l ? `${probes(l)} ${under(l.load)}; max ${ms(l.latency.maxMs)} ms; MQTT/WebSocket, identity-pool SigV4; no rendering` : '',
    ]);
  }
  if (report.mosquittoLive.ok !== 'skipped') {
    const l = report.mosquittoLive.ok === true ? report.mosquittoLive.result : undefined;
    rows.push([
      'Mosquitto publish→WebSocket subscriber p50 / p99',
      l ? `${ms(l.latency.p50Ms)} / ${ms(l.latency.p99Ms)} ms` : failure(report.mosquittoLive),
      l ? `${probes(l)} ${under(l.load)}; max ${ms(l.latency.maxMs)} ms` : '',
    ]);
  }
  return rows;
}
