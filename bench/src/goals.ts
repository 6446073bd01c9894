/**
 * Issue 9's goals, judged on one run's figures: the last block of the printed table and `goals` in
 * the JSON, so that a run says by itself which goals it met instead of leaving the comparison to
 * whoever reads it. A goal is judged only by a run of its shape (the ingest goal needs 1,000 devices
 * or more publishing for 60 s, the memory goal a 10-minute soak); otherwise its figure is still
 * shown, with what the run lacked. Pure, like report.ts.
 */
import type { BenchReport } from './report.ts';
import { defaultBenchOptions } from './bench-options.ts';
import { fallbackSoakRateSource, givenSoakRateSource } from './soak-rate.ts';

/** The figures the issue asks for ("Goals" in issue 9), in its units. */
export const issue9Goals = {
  ingestReadingsPerSecond: 5000,
  ingestMinDevices: 1000,
  ingestSustainedSeconds: 60,
  ingestToMosquittoRatio: 0.15,
  publishToStoredP99Ms: 250,
  /** A soak shorter than this is a smoke run (`--quick`: 20 s), not a rate held. */
  latencySoakSeconds: 60,
  /**
   * An ingest run smaller than the bench's default (20 devices × 250) does not measure the maximum
   * the soak takes half of: a 5-device run of 200 readings stores about 160/s, mostly its pipeline's
   * latency, against about 1,400/s for the default.
   */
  maximumRunReadings: defaultBenchOptions.devices * defaultBenchOptions.readings,
  publishToBrowserP99Ms: 250,
  brokerToMosquittoRatio: 0.5,
  apiToFastifyRatio: 0.5,
  chartP99Ms: 20,
  /** A p99 of fewer queries is their slowest one or two (`--quick` times 5). */
  chartMinQueries: 100,
  /** "≤ 1 GB": memory is sized in binary units, so 1 GiB. */
  soakMaxRssBytes: 2 ** 30,
  soakSeconds: 600,
  writeUnitsPerReading: 0.1,
} as const;

export interface GoalVerdict {
  readonly goal: string;
  readonly target: string;
  /** This run's figure; undefined when the run did not measure it. */
  readonly measured: string | undefined;
  /** Undefined: not judged, because the figure is missing or the run is not of the goal's shape (`note`). */
  readonly met: boolean | undefined;
  readonly note?: string;
}

const g = issue9Goals;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, digits: number) => n.toFixed(digits);

/** A goal this run has no figure for, and what it would need. */
const unmeasured = (goal: string, target: string, note = 'not measured in this run'): GoalVerdict => ({
  goal,
  target,
  measured: undefined,
  met: undefined,
  note,
});

/** A figure judged against an upper or lower bound, or shown unjudged when missing. */
function bound(
  goal: string,
  target: string,
  value: number | undefined,
  met: (v: number) => boolean,
  show: (v: number) => string,
  note?: string,
): GoalVerdict {
  if (value === undefined) return unmeasured(goal, target, note);
  return { goal, target, measured: show(value), met: met(value), ...(note ? { note } : {}) };
}

export function judgeGoals(report: Omit<BenchReport, 'goals'>): GoalVerdict[] {
  const { figures } = report;
  const f = report.fleet.ok === true ? report.fleet.result : undefined;
  const k = report.soak.ok === true ? report.soak.result : undefined;
  const c = report.chart.ok === true ? report.chart.result : undefined;
  const verdicts: GoalVerdict[] = [];

  // End-to-end ingest: judged only on a run of the goal's shape; a shorter or smaller one says so.
  const ingestGoal = `Durable ingest, ≥ ${int(g.ingestMinDevices)} devices for ≥ ${g.ingestSustainedSeconds} s`;
  const ingestTarget = `≥ ${int(g.ingestReadingsPerSecond)} readings/s, none lost, none twice`;
  const ratioGoal = 'Ratio of that to Mosquitto';
  const ratioTarget = `≥ ${g.ingestToMosquittoRatio}`;
  if (!f) verdicts.push(unmeasured(ingestGoal, ingestTarget), unmeasured(ratioGoal, ratioTarget));
  else {
    const devices = f.load.clients;
    const seconds = f.elapsedMs / 1000;
    const shaped = devices >= g.ingestMinDevices && seconds >= g.ingestSustainedSeconds;
    verdicts.push({
      goal: ingestGoal,
      target: ingestTarget,
      measured: `${int(f.storedPerSecond)} readings/s; ${int(f.stored)} of ${int(f.expected)} stored, ${f.duplicates} twice; ${int(devices)} devices, ${fixed(seconds, 1)} s`,
      met: shaped ? f.storedPerSecond >= g.ingestReadingsPerSecond && f.complete && f.duplicates === 0 : undefined,
      ...(shaped
        ? {}
        : { note: `not the goal's run: --devices ${g.ingestMinDevices} or more, sustained for ${g.ingestSustainedSeconds} s or more` }),
    });
    const ratio = figures.fleetToMosquittoRatio;
    verdicts.push({
      goal: ratioGoal,
      target: ratioTarget,
      measured: ratio === undefined ? undefined : fixed(ratio, 3),
      met: shaped && ratio !== undefined ? ratio >= g.ingestToMosquittoRatio : undefined,
      ...(shaped ? (ratio === undefined ? { note: 'no Mosquitto figure in this run' } : {}) : { note: "not the goal's run: as above" }),
    });
  }

  const latencyGoal = 'Publish → stored at half the maximum rate, p99';
  const latencyTarget = `≤ ${g.publishToStoredP99Ms} ms`;
  if (!k || k.latency.p99Ms === undefined) verdicts.push(unmeasured(latencyGoal, latencyTarget, 'needs --soak'));
  else {
    // The rate is the --rate its user chose as half the maximum, or half of what a full-size ingest run stored.
    const halfOfRun = k.rateSource !== givenSoakRateSource && k.rateSource !== fallbackSoakRateSource;
    const ofMaximum = k.rateSource === givenSoakRateSource || (halfOfRun && (f?.expected ?? 0) >= g.maximumRunReadings);
    const shaped = k.seconds >= g.latencySoakSeconds && ofMaximum;
    verdicts.push({
      goal: latencyGoal,
      target: latencyTarget,
      measured: `${int(k.latency.p99Ms)} ms (p50 ${int(k.latency.p50Ms ?? 0)}) over the soak's ${int(k.latency.samples)} probes at ${int(k.ratePerSecond)} readings/s`,
      met: shaped ? k.latency.p99Ms <= g.publishToStoredP99Ms : undefined,
      note: shaped
        ? `rate: ${k.rateSource}`
        : `not the goal's run: a soak of ${g.latencySoakSeconds} s or more at --rate or at half an ingest run of ${int(g.maximumRunReadings)} readings or more`,
    });
  }
  verdicts.push(
    bound(
      'Publish → browser live chart, p99',
      `≤ ${g.publishToBrowserP99Ms} ms`,
      figures.publishToBrowserP99Ms,
      (v) => v <= g.publishToBrowserP99Ms,
      (v) => `${int(v)} ms`,
    ),
    bound(
      'Broker alone (QoS 1, policies on) / Mosquitto',
      `≥ ${g.brokerToMosquittoRatio}`,
      figures.fleetBrokerToMosquittoRatio,
      (v) => v >= g.brokerToMosquittoRatio,
      (v) => fixed(v, 3),
    ),
    bound(
      'Authenticated API read / bare Fastify',
      `≥ ${g.apiToFastifyRatio}`,
      figures.apiToFastifyRatio,
      (v) => v >= g.apiToFastifyRatio,
      (v) => fixed(v, 3),
    ),
  );
  for (const [name, route] of [
    ['on the Data Service', c?.dataService],
    ['through the gateway and the API', c?.api],
  ] as const) {
    const goal = `24 h of 1 Hz → 500-point chart, p99, ${name}`;
    const target = `≤ ${g.chartP99Ms} ms`;
    if (route?.p99Ms === undefined) verdicts.push(unmeasured(goal, target));
    else {
      const shaped = route.samples >= g.chartMinQueries;
      verdicts.push({
        goal,
        target,
        measured: `${int(route.p99Ms)} ms over ${route.samples} queries`,
        met: shaped ? route.p99Ms <= g.chartP99Ms : undefined,
        ...(shaped ? {} : { note: `not the goal's run: --chart-queries ${g.chartMinQueries} or more` }),
      });
    }
  }

  const memoryGoal = `Local cloud memory, ${g.soakSeconds / 60} min at half the maximum rate`;
  const memoryTarget = `flat, ≤ ${int(g.soakMaxRssBytes / 2 ** 20)} MiB (sum of RSS)`;
  if (!k || k.samples.length === 0) verdicts.push(unmeasured(memoryGoal, memoryTarget, 'needs --soak'));
  else {
    const maxRss = Math.max(...k.samples.map((s) => s.rssBytes));
    const shaped = k.seconds >= g.soakSeconds;
    const growth = k.verdict.memoryGrowth;
    verdicts.push({
      goal: memoryGoal,
      target: memoryTarget,
      measured: `at most ${int(maxRss / 2 ** 20)} MiB over ${k.seconds} s; 2nd half ${growth === undefined ? '—' : `${growth >= 0 ? '+' : ''}${fixed(growth * 100, 1)} %`}`,
      met: shaped && k.verdict.memoryFlat !== undefined ? k.verdict.memoryFlat && maxRss <= g.soakMaxRssBytes : undefined,
      ...(shaped ? {} : { note: `not the goal's run: --soak ${g.soakSeconds}` }),
    });
  }

  const units = (v: number) => `${fixed(v, 2)} WCU`;
  verdicts.push(
    bound(
      'DynamoDB write units per reading, ingest run',
      `≤ ${g.writeUnitsPerReading}`,
      figures.writeUnitsPerReading,
      (v) => v <= g.writeUnitsPerReading,
      units,
    ),
    bound(
      'DynamoDB write units per reading, soak (steady state)',
      `≤ ${g.writeUnitsPerReading}`,
      figures.soakWriteUnitsPerReading,
      (v) => v <= g.writeUnitsPerReading,
      units,
      k ? undefined : 'needs --soak',
    ),
  );
  return verdicts;
}

/**
 * The goals block under the table: one line a goal this run measured, its verdict first (the JSON
 * keeps the others too, with what they need).
 */
export function goalLines(goals: readonly GoalVerdict[]): string[] {
  const measured = goals.filter((v) => v.measured !== undefined);
  if (measured.length === 0) return [];
  const verdict = (v: GoalVerdict) => (v.met === undefined ? 'not judged' : v.met ? 'met' : 'NOT MET');
  const rows = measured.map((v) => [verdict(v), v.goal, v.target, `${v.measured ?? '—'}${v.note ? ` (${v.note})` : ''}`] as const);
  const widths = ([0, 1, 2] as const).map((i) => Math.max(...rows.map((r) => r[i].length)));
  return [
    'Goals (issue 9), judged on this run:',
    ...rows.map((r) => `  ${r[0].padEnd(widths[0]!)}  ${r[1].padEnd(widths[1]!)}  ${r[2].padEnd(widths[2]!)}  ${r[3]}`),
  ];
}
