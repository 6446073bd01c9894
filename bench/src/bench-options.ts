/**
 * Command-line options of `npm run bench`. Every run is bounded: a message count per client and an
 * overall deadline, so the benchmark always stops by itself.
 */
import { parseArgs } from 'node:util';
import { readFlushSpacing, serviceByName } from '@fleet/core';

/** As many Data Service tasks as ECS may run (core's `queueScaling`), which the launcher accepts too. */
const maxDataTasks = serviceByName('data').queueScaling?.maxTasks ?? 1;

export const benchTargets = ['mosquitto', 'fleet', 'broker', 'browser', 'api', 'chart', 'soak'] as const;
export type BenchTarget = (typeof benchTargets)[number];

/** What runs without `--only`: everything but the soak, which runs when `--soak` asks for it (or `--quick`). */
export const defaultTargets: readonly BenchTarget[] = ['mosquitto', 'fleet', 'broker', 'browser', 'api', 'chart'];

/** `--soak` without a number: ten minutes, 60 samples of 10 s, enough for a slow leak to show against noise. */
export const defaultSoakSeconds = 600;

export interface BenchOptions {
  /** Publishing MQTT clients (Fleet: registered devices). */
  readonly devices: number;
  /** Readings each client publishes. */
  readonly readings: number;
  /** Unacknowledged QoS 1 publishes allowed per client (flow control). */
  readonly window: number;
  /** Interval between two probe readings during the Fleet load, for publish→stored latency. */
  readonly probeIntervalMs: number;
  /** Deadline of each measured phase (the load plus waiting for its results). */
  readonly timeoutMs: number;
  /** Seconds of each authenticated-read run (the API through the gateway, then bare Fastify). */
  readonly readSeconds: number;
  /** Data Service tasks of the measured platform (`npm start -- --data-tasks`). */
  readonly dataTasks: number;
  /** The measured platform's `npm start -- --ingest-flush-spacing`; undefined: the Data Service's default. */
  readonly flushSpacingMs: number | undefined;
  /** Probe readings (one per `probeIntervalMs`) of the publish→browser latency phase, and of its Mosquitto peer. */
  readonly liveProbes: number;
  /** Timed chart queries per route on the day of 1 Hz data. */
  readonly chartQueries: number;
  /** Seconds of the soak (when `soak` is a target). */
  readonly soakSeconds: number;
  /** Readings per second of the soak; undefined: half the end-to-end rate measured in this run, else 100. */
  readonly soakRate: number | undefined;
  /**
   * Which measurements to run: the ingest pair (Mosquitto, Fleet end to end), the broker alone
   * (with Mosquitto as its peer), the browser live path (with its Mosquitto peer), the read pair
   * (api), the chart query, the soak.
   */
  readonly targets: readonly BenchTarget[];
  /** Where the JSON figures go. */
  readonly out: string;
}

export const defaultBenchOptions: BenchOptions = {
  devices: 20,
  readings: 250,
  window: 10,
  probeIntervalMs: 100,
  timeoutMs: 180_000,
  readSeconds: 10,
  dataTasks: 1,
  flushSpacingMs: undefined,
  liveProbes: 100,
  chartQueries: 100,
  soakSeconds: defaultSoakSeconds,
  soakRate: undefined,
  targets: defaultTargets,
  out: 'bench/results/latest.json',
};

/**
 * `--quick`: a smoke run of a minute or less that shows the bench still works end to end (CI runs it
 * in the e2e suite); its figures are not for comparing. Flags given next to it still win.
 */
export const quickBenchDefaults = {
  devices: 5,
  readings: 40,
  timeoutMs: 60_000,
  readSeconds: 2,
  liveProbes: 30,
  chartQueries: 5,
  soakSeconds: 20,
  targets: benchTargets,
} as const;

export const benchUsage = `Usage: npm run bench -- [options]

  --devices <n>          publishing clients / Fleet devices (default ${defaultBenchOptions.devices}, at most 1000)
  --readings <n>         readings per client (default ${defaultBenchOptions.readings}, at most 100000)
  --window <n>           in-flight QoS 1 publishes per client (default ${defaultBenchOptions.window}, at most 1000)
  --probe-interval <ms>  probe reading interval for latency (default ${defaultBenchOptions.probeIntervalMs})
  --timeout <s>          deadline of each phase in seconds (default ${defaultBenchOptions.timeoutMs / 1000})
  --read-seconds <s>     seconds of each authenticated-read run, API and bare Fastify (default ${defaultBenchOptions.readSeconds})
  --data-tasks <n>       Data Service tasks of the platform under test (default ${defaultBenchOptions.dataTasks}, at most ${maxDataTasks})
  --flush-spacing <ms>   the platform's --ingest-flush-spacing: fresh data or DynamoDB write units (default the Data Service's, 250)
  --live-probes <n>      probe readings of the publish→browser latency phase (default ${defaultBenchOptions.liveProbes}, one per --probe-interval)
  --chart-queries <n>    timed chart queries per route on a day of 1 Hz data (default ${defaultBenchOptions.chartQueries})
  --soak [seconds]       also soak the platform at a fixed rate (${defaultSoakSeconds} s when no number is given, at most 3000), sampled every 10 s
  --rate <n>             soak readings per second (default half the end-to-end rate measured in the same run, else 100)
  --only <targets>       one or more of ${benchTargets.join(', ')}, comma-separated (default all but soak); broker and browser run their Mosquitto peer too
  --out <file>           JSON results (default ${defaultBenchOptions.out})
  --quick                a smoke run of about two minutes (${quickBenchDefaults.devices} devices × ${quickBenchDefaults.readings} readings, ${quickBenchDefaults.chartQueries} chart
                         queries, a ${quickBenchDefaults.soakSeconds} s soak): checks that the bench runs, its figures are not for comparing
  --help`;

export type ParsedBenchArgs =
  | { readonly kind: 'run'; readonly options: BenchOptions }
  | { readonly kind: 'help' }
  | { readonly kind: 'invalid'; readonly errors: readonly string[] };

/** Parses `process.argv.slice(2)`; every problem is reported at once. Never throws. */
export function parseBenchArgs(argv: readonly string[]): ParsedBenchArgs {
  let values: Record<string, string | boolean | undefined>;
  // `--soak` may stand alone (the default duration): parseArgs wants a value, so give it the default.
  const args = argv.flatMap((a, i) =>
    a === '--soak' && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--')) ? [a, String(defaultSoakSeconds)] : [a],
  );
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        devices: { type: 'string' },
        readings: { type: 'string' },
        window: { type: 'string' },
        'probe-interval': { type: 'string' },
        timeout: { type: 'string' },
        'read-seconds': { type: 'string' },
        'data-tasks': { type: 'string' },
        'flush-spacing': { type: 'string' },
        'live-probes': { type: 'string' },
        'chart-queries': { type: 'string' },
        soak: { type: 'string' },
        rate: { type: 'string' },
        only: { type: 'string' },
        out: { type: 'string' },
        quick: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    return { kind: 'invalid', errors: [(err as Error).message] };
  }
  if (values['help']) return { kind: 'help' };

  const errors: string[] = [];
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (typeof raw !== 'string' || !/^\d+$/.test(raw) || n < min || n > max) {
      errors.push(`--${name} must be an integer from ${min} to ${max}, received ${JSON.stringify(raw)}`);
      return fallback;
    }
    return n;
  };
  const base = values['quick'] ? { ...defaultBenchOptions, ...quickBenchDefaults } : defaultBenchOptions;
  const devices = integer('devices', base.devices, 1, 1000);
  const readings = integer('readings', base.readings, 1, 100_000);
  const window = integer('window', base.window, 1, 1000);
  const probeIntervalMs = integer('probe-interval', base.probeIntervalMs, 10, 60_000);
  const timeoutMs = integer('timeout', base.timeoutMs / 1000, 5, 3600) * 1000;
  const readSeconds = integer('read-seconds', base.readSeconds, 1, 600);
  const dataTasks = integer('data-tasks', base.dataTasks, 1, maxDataTasks);
  const spacingText = values['flush-spacing'];
  // The Data Service's own rule (@fleet/core), as `npm start -- --ingest-flush-spacing` reads it.
  const flushSpacing = readFlushSpacing('--flush-spacing', typeof spacingText === 'string' ? spacingText : undefined);
  if (flushSpacing.problem) errors.push(flushSpacing.problem);
  const liveProbes = integer('live-probes', base.liveProbes, 1, 10_000);
  const chartQueries = integer('chart-queries', base.chartQueries, 1, 10_000);
  // At most 50 minutes: the soak's reader holds one access token, which Cognito issues for an hour.
  const soakSeconds = integer('soak', base.soakSeconds, 10, 3000);
  const soakRate = values['rate'] === undefined ? undefined : integer('rate', 100, 1, 100_000);

  let targets: readonly BenchTarget[] = base.targets;
  const only = values['only'];
  if (typeof only === 'string') {
    // A comma list runs several: `--only mosquitto,fleet` is the ingest goal and its ratio.
    const asked = only.split(',').map((t) => t.trim());
    const unknown = asked.filter((t) => !benchTargets.some((b) => b === t));
    if (unknown.length === 0 && asked.length > 0) targets = benchTargets.filter((t) => asked.includes(t));
    else errors.push(`--only must be one or more of ${benchTargets.join(', ')} (comma-separated), received ${JSON.stringify(only)}`);
  }
  if (values['soak'] !== undefined && !targets.includes('soak')) targets = [...targets, 'soak'];
  const out = typeof values['out'] === 'string' && values['out'] !== '' ? values['out'] : defaultBenchOptions.out;

  if (errors.length > 0) return { kind: 'invalid', errors };
  return {
    kind: 'run',
    options: {
      devices,
      readings,
      window,
      probeIntervalMs,
      timeoutMs,
      readSeconds,
      dataTasks,
      flushSpacingMs: flushSpacing.value,
      liveProbes,
      chartQueries,
      soakSeconds,
      soakRate,
      targets,
      out,
    },
  };
}
