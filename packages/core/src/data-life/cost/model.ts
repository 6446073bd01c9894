/**
 * The modelled AWS monthly cost of a fleet: `npm run cost` prints it, `GET /data-usage` answers it
 * for the measured rate and the retention in force. Derived from the shared definitions as the code
 * uses them (the rules a telemetry message triggers and their actions, the services' task sizes and
 * scaling, the retention levels) and from write-shape.ts (what one flush writes); every price comes
 * from prices.ts.
 */
import { dataServiceConfigSchema } from '../../config/service-configs.ts';
import { alarms, rules, type RuleAction, type RuleDefinition } from '../../rules.ts';
import { services } from '../../services.ts';
import { topics } from '../../topics.ts';
import type { RetentionPolicy } from '../retention.ts';
import { rollupLevels } from '../rollups.ts';
import type { CostLine } from '../usage.ts';
import { hoursPerMonth, prices, pricesAsOf, secondsPerMonth } from './prices.ts';
import { archiveLineBytes, messageBytes, writeShape } from './write-shape.ts';

export const ingestPaths = ['broker', 'basic-ingest'] as const;
/** `broker`: devices publish to `fleet/devices/<id>/telemetry`; `basic-ingest`: to `$aws/rules/<ingest rule>/…`, no messaging charge. */
export type IngestPath = (typeof ingestPaths)[number];

export interface CostInput {
  readonly devices: number;
  /** Seconds between two readings of a device. */
  readonly intervalSeconds: number;
  /** Values per reading. */
  readonly metrics: number;
  readonly retention: RetentionPolicy;
  /** Monthly active users of the web app. */
  readonly users: number;
  readonly ingestPath: IngestPath;
  /** Share of readings an alert rule's WHERE matches (its actions then run). @default 0 */
  readonly alertShare?: number;
  /** API requests a user makes in a month (a dashboard polling its panels). @default 20000 */
  readonly apiRequestsPerUser?: number;
  /** The Data Service's `INGEST_FLUSH_SPACING_MS` (`flushPeriodSeconds`). @default the schema's default, 250 */
  readonly flushSpacingMs?: number;
}

export interface CostModel {
  readonly lines: CostLine[];
  readonly monthlyUsd: number;
  readonly perMillionReadingsUsd: number;
  readonly readingsPerMonth: number;
  /** DynamoDB write units per reading by table: what the benchmark measures with ReturnConsumedCapacity. */
  readonly writeUnitsPerReading: { readonly telemetry: number; readonly latest: number; readonly rollups: number };
  readonly pricesAsOf: string;
}

/**
 * How the ingest consumer batches (services/data/src/ingest-consumer.ts): ReceiveMessage of at most
 * 10 (the SQS maximum), 4 long-polling receivers of 20 s per task, a flush gathers for 20 ms and
 * takes about as long again to write, DeleteMessageBatch of 10.
 */
export const consumerShape = { receiveBatch: 10, deleteBatch: 10, receiversPerTask: 4, waitTimeSeconds: 20, flushSeconds: 0.05 } as const;
/**
 * How far apart a Data Service task's flushes are (services/data/src/ingest-consumer.ts): while its
 * receives answer full batches, modelled as a full batch arriving within `consumerShape`'s flush
 * period, the deployment's flush spacing; below that, `consumerShape`'s period. (Measured on the
 * local cloud: at 708 readings/s every flush was 250 ms after the last, at 100/s not.)
 */
export function flushPeriodSeconds(readingsPerTaskPerSecond: number, flushSpacingMs: number): number {
  const busy = readingsPerTaskPerSecond * consumerShape.flushSeconds >= consumerShape.receiveBatch;
  return busy ? Math.max(consumerShape.flushSeconds, flushSpacingMs / 1000) : consumerShape.flushSeconds;
}

/** Readings a second one Data Service task keeps up with (bench/README.md: several hundred). */
export const readingsPerDataTask = 400;
/** Metrics the services write as EMF (dimension `Service` only, services/data/src/emf.ts), flushed every 10 s. */
export const emfShape = { metricsPerService: 8, flushSeconds: 10, lineBytes: 1200 } as const;

const fromFilter = (rule: RuleDefinition) => /FROM\s+'([^']+)'/i.exec(rule.sql)?.[1];
const gb = (bytes: number) => bytes / 1024 ** 3;
const round = (usd: number) => Math.round(usd * 100) / 100;
const n = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : String(Number(x.toPrecision(3))));

/** The rules a telemetry message triggers on each path: every rule on the telemetry filter, or only the ingest rule. */
export function telemetryRules(path: IngestPath): readonly RuleDefinition[] {
  const onTelemetry = rules.filter((r) => fromFilter(r) === topics.telemetryFilter);
  // Basic Ingest names one rule in the topic (`$aws/rules/<name>`): only it runs.
  return path === 'basic-ingest' ? onTelemetry.filter((r) => r.actions.some((a) => a.kind === 'sqs')) : onTelemetry;
}

export function modelMonthlyCost(input: CostInput): CostModel {
  const { devices, intervalSeconds, metrics, retention, users, ingestPath } = input;
  const alertShare = input.alertShare ?? 0;
  const apiRequests = users * (input.apiRequestsPerUser ?? 20_000);
  const perSecond = devices / intervalSeconds;
  const readings = perSecond * secondsPerMonth;
  const lines: CostLine[] = [];
  const add = (item: string, usd: number, basis: string) => lines.push({ item, usd, basis });

  // IoT Core
  const bytes = messageBytes(metrics);
  const meters = Math.ceil(bytes / prices.iotMessageMeterBytes);
  if (ingestPath === 'broker')
    add('IoT Core messages', readings * meters * prices.iotMessage.usd, `${n(readings)} messages × ${meters} (per 5 KB) × $1.00/M`);
  else add('IoT Core messages', readings * prices.iotBasicIngestMessage.usd, `${n(readings)} Basic Ingest messages: no messaging charge`);
  const minutes = devices * hoursPerMonth * 60;
  add(
    'IoT Core connectivity',
    minutes * prices.iotConnectionMinute.usd,
    `${n(devices)} devices always connected: ${n(minutes)} minutes × $0.08/M`,
  );
  const triggered = telemetryRules(ingestPath);
  const isAlert = (r: RuleDefinition) => !r.actions.some((a: RuleAction) => a.kind === 'sqs');
  const actionsPerReading = triggered.reduce((sum, r) => sum + r.actions.length * (isAlert(r) ? alertShare : 1), 0);
  add(
    'IoT rules triggered',
    readings * triggered.length * prices.iotRuleTriggered.usd,
    `${triggered.length} rules (${triggered.map((r) => r.name).join(', ')}) × ${n(readings)} × $0.15/M`,
  );
  add(
    'IoT rule actions',
    readings * actionsPerReading * prices.iotActionExecuted.usd,
    `${n(actionsPerReading)} actions per reading × ${n(readings)} × $0.15/M`,
  );

  // SQS: SendMessage per message by the rule, ReceiveMessage and DeleteMessageBatch by the consumer.
  const dataService = services.find((s) => s.name === 'data')!;
  const scaling = dataService.queueScaling!;
  const dataTasks = Math.min(scaling.maxTasks, Math.max(scaling.minTasks, Math.ceil(perSecond / readingsPerDataTask)));
  const flushSeconds = flushPeriodSeconds(perSecond / dataTasks, input.flushSpacingMs ?? dataServiceConfigSchema.flushSpacingMs.default);
  const perFlush = Math.min(1000, Math.max(1, perSecond * flushSeconds));
  const perReceive = Math.min(consumerShape.receiveBatch, perFlush);
  const receives = readings / perReceive;
  const idlePolls = Math.max(0, (dataTasks * consumerShape.receiversPerTask * secondsPerMonth) / consumerShape.waitTimeSeconds - receives);
  const deletes = (readings / perFlush) * Math.ceil(perFlush / consumerShape.deleteBatch);
  const sqsRequests = readings + receives + idlePolls + deletes;
  add(
    'SQS requests',
    sqsRequests * prices.sqsRequest.usd,
    `${n(readings)} SendMessage + ${n(receives + idlePolls)} ReceiveMessage + ${n(deletes)} DeleteMessageBatch × $0.40/M`,
  );

  // DynamoDB
  const shape = writeShape({ intervalSeconds, metrics, flushSeconds });
  const writeUnits = {
    telemetry: shape.telemetryUnitsPerReading,
    latest: shape.latestUnitsPerReading,
    rollups: shape.rollupUnitsPerReading,
  };
  const unitsPerReading = writeUnits.telemetry + writeUnits.latest + writeUnits.rollups;
  add(
    'DynamoDB writes',
    readings * unitsPerReading * prices.dynamoWriteUnit.usd,
    `${n(unitsPerReading)} WRU per reading (telemetry ${n(writeUnits.telemetry)}, latest ${n(writeUnits.latest)}, rollups ${n(writeUnits.rollups)}; ${n(shape.readingsPerDeviceFlush)} of a device's readings per flush, flushes ${n(flushSeconds * 1000)} ms apart) × ${n(readings)} × $0.625/M`,
  );
  const readUnits = readings * shape.rollupReadUnitsPerReading + apiRequests * 2;
  add(
    'DynamoDB reads',
    readUnits * prices.dynamoReadUnit.usd,
    `rollup Queries ${n(shape.rollupReadUnitsPerReading)} RRU per reading + 2 RRU per API request × $0.125/M`,
  );
  const rawBytes = perSecond * retention.rawDays * 86_400 * shape.rawBytesPerReading;
  const readingsPerDay = 86_400 / intervalSeconds;
  const rollupItems = rollupLevels.reduce((sum, level) => {
    const buckets = Math.min(86_400_000 / level.widthMs, readingsPerDay);
    return sum + devices * buckets * retention[level.retentionField];
  }, 0);
  const rollupBytes = rollupItems * shape.rollupItemStoredBytes;
  const tableGb = gb(rawBytes + rollupBytes);
  add(
    'DynamoDB storage',
    tableGb * prices.dynamoStorageGbMonth.usd,
    `raw ${n(gb(rawBytes))} GB (${retention.rawDays} d) + rollups ${n(gb(rollupBytes))} GB (${n(rollupItems)} items) × $0.25/GB-month`,
  );
  add('DynamoDB backups (PITR)', tableGb * prices.dynamoPitrGbMonth.usd, `${n(tableGb)} GB × $0.20/GB-month`);

  // S3 archive: one PUT per flush (and UTC hour), lines kept `archiveDays`.
  const puts = readings / perFlush;
  add('S3 archive PUTs', puts * prices.s3Put.usd, `${n(puts)} PUTs (one per flush of ${n(perFlush)} readings) × $0.005/1,000`);
  const archiveGb = gb(perSecond * retention.archiveDays * 86_400 * archiveLineBytes(metrics));
  add(
    'S3 archive storage',
    archiveGb * prices.s3StandardGbMonth.usd,
    `${n(archiveGb)} GB (${retention.archiveDays} d of JSON lines) × $0.023/GB-month`,
  );

  // CloudWatch: EMF lines (logs) define the metrics; rule metrics and alarms.
  const tasks = services.reduce((sum, s) => sum + (s.name === 'data' ? dataTasks : 1), 0);
  const metricCount =
    services.length * emfShape.metricsPerService + rules.filter((r) => r.actions.some((a) => a.kind === 'cloudwatchMetric')).length;
  add(
    'CloudWatch metrics',
    metricCount * prices.cloudwatchMetricMonth.usd,
    `${metricCount} metrics (EMF per service, no device dimension; rule metrics) × $0.30`,
  );
  add('CloudWatch alarms', alarms.length * prices.cloudwatchAlarmMonth.usd, `${alarms.length} alarms × $0.10`);
  const logGb = gb((tasks * secondsPerMonth * emfShape.lineBytes) / emfShape.flushSeconds + readings * alertShare * 150);
  add(
    'CloudWatch logs',
    logGb * (prices.cloudwatchLogIngestGb.usd + prices.cloudwatchLogStorageGbMonth.usd),
    `${n(logGb)} GB of EMF and alert lines × ($0.50 ingest + $0.03 stored a month)`,
  );

  // Compute and front door.
  const fargate = services.reduce((sum, s) => {
    const count = s.name === 'data' ? dataTasks : 1;
    return sum + count * hoursPerMonth * ((s.cpu / 1024) * prices.fargateVcpuHour.usd + (s.memoryMiB / 1024) * prices.fargateGbHour.usd);
  }, 0);
  add(
    'Fargate',
    fargate,
    `${tasks} tasks (${services.map((s) => `${s.name} ${s.cpu / 1024} vCPU/${s.memoryMiB / 1024} GB`).join(', ')}) × 730 h`,
  );
  add(
    'Public IPv4',
    tasks * hoursPerMonth * prices.publicIpv4Hour.usd,
    `${tasks} task addresses × 730 h × $0.005 (no NAT gateway; S3/DynamoDB gateway endpoints are free)`,
  );
  const lcuHours = (apiRequests / secondsPerMonth / 25) * hoursPerMonth;
  add(
    'Load balancers',
    services.length * hoursPerMonth * prices.albHour.usd + lcuHours * prices.albLcuHour.usd,
    `${services.length} ALBs × 730 h × $0.0225 + ${n(lcuHours)} LCU-hours × $0.008`,
  );
  add('CloudFront', apiRequests * prices.cloudfrontRequest.usd, `${n(apiRequests)} HTTPS requests × $0.01/10,000`);
  add('API Gateway', apiRequests * prices.apiGatewayHttpRequest.usd, `${n(apiRequests)} HTTP API requests × $1.00/M`);
  const billedUsers = Math.max(0, users - prices.cognitoFreeMaus);
  add('Cognito', billedUsers * prices.cognitoMau.usd, `${n(users)} MAU, ${n(prices.cognitoFreeMaus)} free, × $0.015`);

  const rounded = lines.map((l) => ({ ...l, usd: round(l.usd) }));
  const monthlyUsd = lines.reduce((sum, l) => sum + l.usd, 0);
  return {
    lines: rounded,
    monthlyUsd: round(monthlyUsd),
    perMillionReadingsUsd: readings > 0 ? round((monthlyUsd / readings) * 1e6) : 0,
    readingsPerMonth: readings,
    writeUnitsPerReading: writeUnits,
    pricesAsOf,
  };
}
