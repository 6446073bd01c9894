/**
 * The table rows of issue 9's platform figures (write units, memory, chart query, soak) and the
 * soak's samples, from the report's JSON. Pure, like report.ts, which lays them out.
 */
import type { BenchReport, Outcome } from './report.ts';
import type { TreeMemory } from './process-memory.ts';
import { soakCriteria } from './soak-verdict.ts';
import type { WriteUnitsMeasurement } from './write-units.ts';

export type Row = [string, string, string];

const ms = (n: number | undefined) => (n === undefined ? '—' : String(Math.round(n)));
const mib = (bytes: number | undefined) => (bytes === undefined ? '—' : String(Math.round(bytes / 2 ** 20)));
const num = (n: number) => n.toLocaleString('en-US');
const yes = (b: boolean | undefined) => (b === undefined ? 'not judged' : b ? 'yes' : 'NO');

function failure(outcome: Outcome<unknown>): string {
  if (outcome.ok === 'skipped') return 'skipped';
  if (outcome.ok === false) return 'FAILED';
  return '';
}

/** Each process's RSS, largest first: `dynalite-main 210, launcher 180, …` MiB. */
export function processBreakdown(sample: TreeMemory): string {
  return [...sample.processes]
    .sort((a, b) => b.rssBytes - a.rssBytes)
    .map((p) => `${p.label} ${mib(p.rssBytes)}`)
    .join(', ');
}

/** Each process's RSS at two samples, by label: `launcher 300 → 320, …` MiB. */
export function memoryChange(first: TreeMemory, last: TreeMemory): string {
  return last.processes
    .map((p) => `${p.label} ${mib(first.processes.find((q) => q.label === p.label)?.rssBytes)} → ${mib(p.rssBytes)}`)
    .join(', ');
}

export function platformRows(report: BenchReport): Row[] {
  const rows: Row[] = [];
  const f = report.fleet.ok === true ? report.fleet.result : undefined;
  if (f) rows.push(...writeUnitRows('', f.writeUnits));
  const m = report.memory;
  if (m.atStart) {
    rows.push([
      'Local cloud RSS at start / after ingest',
      `${mib(m.atStart.totalRssBytes)} / ${mib(m.afterIngest?.totalRssBytes)} MiB`,
      `${(m.afterIngest ?? m.atStart).processes.length} processes: ${processBreakdown(m.afterIngest ?? m.atStart)}`,
    ]);
  }

  if (report.chart.ok !== 'skipped') {
    const c = report.chart.ok === true ? report.chart.result : undefined;
    const route = (
      title: string,
      name: string,
      m: Omit<NonNullable<typeof c>, 'year'> | undefined,
      r: NonNullable<typeof c>['dataService'] | undefined,
    ) =>
      rows.push([
        `${title}, ${name} p50 / p99`,
        r ? `${ms(r.p50Ms)} / ${ms(r.p99Ms)} ms` : failure(report.chart),
        r && m
          ? `${r.samples} queries one at a time, ${m.maxPoints} points, ${num(r.readingsCounted)} of ${num(m.readings)} readings in ${r.intervals} intervals, ${Math.round(r.answerBytes / 1024)} KiB; max ${ms(r.maxMs)} ms, first ${ms(r.firstMs)} ms`
          : '',
      ]);
    route('Chart 24 h of 1 Hz', 'Data Service', c, c?.dataService);
    route('Chart 24 h of 1 Hz', 'API via gateway', c, c?.api);
    if (c?.year) {
      route('Chart 1 year (hour rollups)', 'Data Service', c.year, c.year.dataService);
      route('Chart 1 year (hour rollups)', 'API via gateway', c.year, c.year.api);
    }
    if (c && m.afterChart)
      rows.push(['Local cloud RSS after the chart readings', `${mib(m.afterChart.totalRssBytes)} MiB`, processBreakdown(m.afterChart)]);
  }

  if (report.soak.ok !== 'skipped') {
    const k = report.soak.ok === true ? report.soak.result : undefined;
    const v = k?.verdict;
    const flat = v ? v.memoryFlat !== false && v.latencyFlat !== false && v.keptUp !== false && v.storedOnce : undefined;
    rows.push([
      k ? `Soak ${k.seconds} s at ${num(k.ratePerSecond)} readings/s` : 'Soak',
      k ? (flat ? 'flat' : 'NOT FLAT') : failure(report.soak),
      k
        ? `${num(k.count.acknowledged)} acknowledged, ${num(k.count.storedOnce)} stored once, ${k.count.missing} missing, ${k.count.duplicates} duplicates; ${k.devices} devices; rate: ${k.rateSource}`
        : '',
    ]);
    if (k) rows.push(...writeUnitRows('Soak: ', k.writeUnits));
  }
  return rows;
}

/** The measured write units per reading and, below, the cost model's for the same composition. */
function writeUnitRows(prefix: string, w: WriteUnitsMeasurement): Row[] {
  const per = (n: number | undefined) => (n === undefined ? '—' : n.toFixed(2));
  const rows: Row[] = [
    [
      `${prefix}DynamoDB write units per stored reading`,
      `${per(w.unitsPerReading)} WCU`,
      `telemetry ${per(w.telemetryUnitsPerReading)} + latest ${per(w.latestUnitsPerReading)} + rollups ${per(w.rollupUnitsPerReading)}: ${num(w.telemetryUnits + w.latestUnits + w.rollupUnits)} units for ${num(w.readingsStored)} readings (ReturnConsumedCapacity)`,
    ],
  ];
  const m = w.modelled;
  if (m) {
    rows.push([
      `${prefix}Write units per reading, cost model`,
      `${per(m.unitsPerReading)} WCU`,
      `telemetry ${per(m.telemetryUnitsPerReading)} + latest ${per(m.latestUnitsPerReading)} + rollups ${per(m.rollupUnitsPerReading)} for ${per(m.readingsPerDeviceFlush)} readings per device and flush (npm run cost; measured above)`,
    ]);
  }
  return rows;
}

/** The soak's samples and the verdict with its criterion, below the table. */
export function soakLines(report: BenchReport): string[] {
  if (report.soak.ok !== true) return [];
  const k = report.soak.result;
  const v = k.verdict;
  const header = ['t s', 'RSS MiB', 'acked', 'stored', 'backlog', 'p50 ms', 'p99 ms', 'probes'];
  const table = [
    header,
    ...k.samples.map((s) =>
      [
        s.atSeconds,
        mib(s.rssBytes),
        s.acknowledged,
        s.stored,
        s.acknowledged - s.stored,
        ms(s.latencyP50Ms),
        ms(s.latencyP99Ms),
        s.latencySamples,
      ].map(String),
    ),
  ];
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const pct = (x: number | undefined) => (x === undefined ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`);
  return [
    `Soak samples (every ${k.sampleIntervalMs / 1000} s; stored = the devices' latest stored seq; latency = probe publish→stored, polled every 50 ms):`,
    ...table.map((r) => `  ${r.map((c, i) => c.padStart(widths[i]!)).join('  ')}`),
    `  memory flat (median RSS of the 2nd half ≤ ${soakCriteria.maxMemoryGrowth * 100} % above the 1st): ${yes(v.memoryFlat)} (${pct(v.memoryGrowth)})`,
    `  latency flat (median interval p99 of the 2nd half ≤ ${soakCriteria.maxLatencyFactor}× or +${soakCriteria.latencySlackMs} ms of the 1st): ${yes(v.latencyFlat)} (${ms(v.firstHalfP99Ms)} → ${ms(v.secondHalfP99Ms)} ms)`,
    `  kept up (backlog at the last sample ≤ ${soakCriteria.maxBacklogSeconds} s of load): ${yes(v.keptUp)} (${v.finalBacklog ?? '—'}); drained ${k.drainedAfterMs === undefined ? 'NOT within the drain time' : `${k.drainedAfterMs} ms`} after publishing stopped`,
    `  every acknowledged reading stored once: ${yes(v.storedOnce)} (${k.count.storedOnce}/${k.count.acknowledged}, ${k.count.missing} missing, ${k.count.duplicates} duplicates)`,
    ...(k.firstMemory && k.lastMemory ? [`  RSS MiB by process, first → last sample: ${memoryChange(k.firstMemory, k.lastMemory)}`] : []),
  ];
}
