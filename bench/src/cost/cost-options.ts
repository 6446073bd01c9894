/**
 * Command-line options of `npm run cost`. Parsing is a value: the options, the help, or every
 * problem found (each naming what it received and what it expects), so `main.ts` alone prints and exits.
 */
import { parseArgs } from 'node:util';
import {
  dataServiceConfigSchema,
  defaultRetention,
  readFlushSpacing,
  retentionLimits,
  retentionProblems,
  type RetentionPolicy,
} from '@fleet/core';

export interface CostOptions {
  readonly devices: number;
  readonly intervalSeconds: number;
  readonly metrics: number;
  readonly retention: RetentionPolicy;
  readonly users: number;
  /** The Data Service's `INGEST_FLUSH_SPACING_MS` the fleet is deployed with. */
  readonly flushSpacingMs: number;
  readonly json: boolean;
}

export type ParsedCostOptions =
  | { readonly kind: 'options'; readonly options: CostOptions }
  | { readonly kind: 'help' }
  | { readonly kind: 'problems'; readonly problems: string[] };

export const defaultCostOptions: CostOptions = {
  devices: 1000,
  intervalSeconds: 10,
  metrics: 3,
  retention: defaultRetention,
  users: 50,
  flushSpacingMs: dataServiceConfigSchema.flushSpacingMs.default,
  json: false,
};

/** `--retention` keys → the policy's fields. */
const retentionKeys: Record<string, keyof RetentionPolicy> = {
  raw: 'rawDays',
  '1m': 'minuteDays',
  '1h': 'hourDays',
  '1d': 'dayDays',
  archive: 'archiveDays',
};

export const costHelp = `Usage: npm run cost -- [options]

Prints the modelled AWS monthly cost of a fleet (us-east-1, on-demand) and its cost per million
readings, for the broker path and Basic Ingest side by side. Prices: packages/core/src/data-life/cost/prices.ts.

  --devices <n>      devices, always connected (default ${defaultCostOptions.devices})
  --interval <s>     seconds between two readings of a device (default ${defaultCostOptions.intervalSeconds})
  --metrics <n>      values per reading (default ${defaultCostOptions.metrics})
  --retention <list> days kept per level, any of raw=,1m=,1h=,1d=,archive=
                     (default raw=30,1m=90,1h=730,1d=3650,archive=365)
  --users <n>        monthly active users of the web app (default ${defaultCostOptions.users})
  --flush-spacing <ms>  the Data Service's INGEST_FLUSH_SPACING_MS (default ${defaultCostOptions.flushSpacingMs}):
                     under load a device's readings of that long share one DynamoDB write
  --json             machine-readable output
  --help             this text`;

function positive(name: string, raw: string | undefined, fallback: number, integer: boolean, problems: string[]): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  const ok = Number.isFinite(value) && (integer ? Number.isInteger(value) && value >= 0 : value > 0);
  if (!ok) problems.push(`--${name} must be ${integer ? 'a whole number ≥ 0' : 'a number > 0'}, received ${JSON.stringify(raw)}`);
  return ok ? value : fallback;
}

/** By the Data Service's own rule (@fleet/core), as `npm start -- --ingest-flush-spacing` reads it. */
function flushSpacing(raw: string | undefined, fallback: number, problems: string[]): number {
  const { value, problem } = readFlushSpacing('--flush-spacing', raw);
  if (problem) problems.push(problem);
  return value ?? fallback;
}

function parseRetention(raw: string | undefined, problems: string[]): RetentionPolicy {
  const policy: RetentionPolicy = { ...defaultRetention };
  if (raw === undefined) return policy;
  for (const part of raw.split(',').filter(Boolean)) {
    const [key = '', days = ''] = part.split('=');
    const field = retentionKeys[key.trim()];
    const value = Number(days);
    if (!field)
      problems.push(`--retention: unknown level ${JSON.stringify(key)}, expected one of ${Object.keys(retentionKeys).join(', ')}`);
    else if (!Number.isInteger(value) || value < retentionLimits.minDays || value > retentionLimits.maxDays)
      problems.push(
        `--retention: ${key} must be whole days in ${retentionLimits.minDays}..${retentionLimits.maxDays}, received ${JSON.stringify(days)}`,
      );
    else policy[field] = value;
  }
  problems.push(...retentionProblems({ fleet: policy, groups: {} }).map((p) => `--retention: ${p}`));
  return policy;
}

export function parseCostOptions(argv: readonly string[]): ParsedCostOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        devices: { type: 'string' },
        interval: { type: 'string' },
        metrics: { type: 'string' },
        retention: { type: 'string' },
        users: { type: 'string' },
        'flush-spacing': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    return { kind: 'problems', problems: [err instanceof Error ? err.message : String(err)] };
  }
  if (values.help) return { kind: 'help' };
  const problems: string[] = [];
  const d = defaultCostOptions;
  const options: CostOptions = {
    devices: positive('devices', values.devices, d.devices, true, problems),
    intervalSeconds: positive('interval', values.interval, d.intervalSeconds, false, problems),
    metrics: positive('metrics', values.metrics, d.metrics, true, problems),
    retention: parseRetention(values.retention, problems),
    users: positive('users', values.users, d.users, true, problems),
    flushSpacingMs: flushSpacing(values['flush-spacing'], d.flushSpacingMs, problems),
    json: values.json ?? false,
  };
  return problems.length > 0 ? { kind: 'problems', problems } : { kind: 'options', options };
}
