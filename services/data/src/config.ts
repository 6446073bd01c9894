/**
 * The Data Service's configuration, read once from the environment that `serviceEnvironment('data')`
 * defines (plus optional tuning). Every problem is reported together.
 */
import { cognitoJwksUrl } from '@fleet/core/tokens';

export interface DataServiceConfig {
  readonly port: number;
  readonly region: string;
  readonly latestTable: string;
  readonly telemetryTable: string;
  readonly bucket: string;
  readonly ingestQueueUrl: string;
  /** The user pool and app client whose access tokens callers present. */
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  /** Where the user pool's JWKS is fetched from (resolved as the SDK resolves the Cognito endpoint). */
  readonly jwksUrl: string;
  /** The ingest queue's dead-letter queue (`INGEST_DLQ_URL`): its depth and its redrive. */
  readonly ingestDeadLetterQueueUrl: string;
  /** Receives in flight (`INGEST_RECEIVERS`). @default 4 */
  readonly receivers: number;
  /** EMF flush interval (`METRICS_FLUSH_MS`). @default 10000 */
  readonly metricsFlushMs: number;
  /** pino level (`LOG_LEVEL`). @default info */
  readonly logLevel: string;
}

export type ConfigResult =
  { readonly ok: true; readonly config: DataServiceConfig } | { readonly ok: false; readonly problems: readonly string[] };

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Validates the environment; never throws. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value.trim() === '') {
      problems.push(`${name} is required`);
      return '';
    }
    return value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, received ${JSON.stringify(raw)}`);
      return fallback;
    }
    return n;
  };
  const port = integer('PORT', Number.NaN, 0, 65_535);
  if (env['PORT'] === undefined || env['PORT'] === '') problems.push('PORT is required');
  const url = (name: string): string => {
    const value = required(name);
    if (value !== '' && !/^https?:\/\//.test(value)) problems.push(`${name} must be an http(s) URL, received ${JSON.stringify(value)}`);
    return value;
  };
  const queueUrl = url('INGEST_QUEUE_URL');
  const deadLetterQueueUrl = url('INGEST_DLQ_URL');
  const logLevel = env['LOG_LEVEL'] ?? 'info';
  if (!logLevels.includes(logLevel))
    problems.push(`LOG_LEVEL must be one of ${logLevels.join(', ')}, received ${JSON.stringify(logLevel)}`);
  const region = required('AWS_REGION');
  const userPoolId = required('USER_POOL_ID');
  const config: DataServiceConfig = {
    port,
    region,
    latestTable: required('LATEST_TABLE'),
    telemetryTable: required('TELEMETRY_TABLE'),
    bucket: required('BUCKET_NAME'),
    ingestQueueUrl: queueUrl,
    userPoolId,
    userPoolClientId: required('USER_POOL_CLIENT_ID'),
    jwksUrl: cognitoJwksUrl(env, region, userPoolId),
    ingestDeadLetterQueueUrl: deadLetterQueueUrl,
    receivers: integer('INGEST_RECEIVERS', 4, 1, 32),
    metricsFlushMs: integer('METRICS_FLUSH_MS', 10_000, 1000, 300_000),
    logLevel,
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}
