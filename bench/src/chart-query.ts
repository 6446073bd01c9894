/**
 * The chart query on a day of 1 Hz data (issue 9) and on a year (issue 13): one device's readings
 * stored, then the downsampled history the web app's device page asks for, timed one request at a time:
 *
 * - on the Data Service's route (`GET /data/devices/:id/readings`, load balancer 3), and
 * - on the API route the web app calls through the gateway (`GET /api/devices/:id/telemetry`:
 *   the gateway's JWT authorizer, the API Service's registry check, then the same Data Service route).
 *
 * The readings are written through the Data Service's own telemetry store (`createTelemetryStore`,
 * time-bucketed window items, with its rollup writer) against the platform's DynamoDB with the local
 * cloud's root keys, 3,600 readings per call through `writeHistorical` (what imports use): the same
 * one-minute window items, attributes, rollups and TTL that ingest writes, in minutes instead of the
 * ~3 minutes or more that 86,400 readings take through MQTT.
 *
 * The 500-point chart of 24 h reads the 1-minute rollups (1,440 items) and the one-year chart the
 * 1-hour rollups (8,760 items, `resolutionFor`): what a query costs depends on the buckets it reads,
 * so the year holds one reading an hour, which fills every hour bucket as denser data would.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { defaultRetention, rollupsTable, type Reading } from '@fleet/core';
import { createRollupWriter, createTelemetryStore } from '@fleet/data-service';
import { createUser, type PlatformProcess } from '@fleet/e2e';
import type { Logger } from 'pino';
import { summarizeLatencies, type LatencySummary } from './stats.ts';
import { timeGetsInChild } from './timed-gets.ts';

export interface ChartQueryOptions {
  /** Timed requests per route (after `warmup` untimed ones). */
  readonly queries: number;
  /** @default 86_400: 24 h at 1 Hz */
  readonly readings?: number;
  /** @default 1000 ms */
  readonly readingIntervalMs?: number;
  /** @default 500, the chart */
  readonly maxPoints?: number;
  /** @default 2 */
  readonly warmup?: number;
  /** Also a year of readings this far apart, on a second device. @default no year */
  readonly yearReadingIntervalMs?: number;
  readonly logger: Logger;
}

export interface ChartRouteMeasurement extends LatencySummary {
  readonly url: string;
  /** Readings the answer's intervals account for (sum of counts): every stored one. */
  readonly readingsCounted: number;
  readonly intervals: number;
  readonly answerBytes: number;
  /** The first request on the route, untimed warm-up included: on the Data Service route, a cold query (nothing of the range held in memory yet). */
  readonly firstMs: number;
}

export interface ChartQueryMeasurement {
  readonly readings: number;
  readonly rangeMs: number;
  readonly maxPoints: number;
  readonly queries: number;
  /** Storing the readings through the telemetry store: time and the write units DynamoDB reported. */
  readonly storeMs: number;
  readonly storeWriteUnits: number;
  readonly dataService: ChartRouteMeasurement;
  readonly api: ChartRouteMeasurement;
  /** The same over a year (`year` option), when measured. */
  readonly year?: Omit<ChartQueryMeasurement, 'year'>;
}

interface IntervalsAnswer {
  readonly metrics: Readonly<Record<string, readonly { readonly count: number }[]>>;
}

/** Stores the day of readings on `platform` (already started) and times the chart query on both routes. */
export async function measureChartQuery(platform: PlatformProcess, options: ChartQueryOptions): Promise<ChartQueryMeasurement> {
  const { logger, queries } = options;
  const total = options.readings ?? 86_400;
  const step = options.readingIntervalMs ?? 1000;
  const maxPoints = options.maxPoints ?? 500;
  const warmup = options.warmup ?? 2;
  const dataUrl = platform.endpoints.services['data']?.url;
  const tableName = platform.endpoints.tables['telemetry'];
  if (!dataUrl || !tableName) throw new Error('endpoints.json lists no Data Service URL or telemetry table');
  const user = await createUser(platform);
  const day = await measureRange({
    platform,
    user,
    dataUrl,
    tableName,
    total,
    step,
    maxPoints,
    warmup,
    queries,
    logger,
    name: 'bench chart',
  });
  if (options.yearReadingIntervalMs === undefined) return day;
  const yearStep = options.yearReadingIntervalMs;
  const year = await measureRange({
    platform,
    user,
    dataUrl,
    tableName,
    total: Math.floor((365 * 86_400_000) / yearStep),
    step: yearStep,
    maxPoints,
    warmup,
    queries,
    logger,
    name: 'bench chart year',
  });
  return { ...day, year };
}

async function measureRange(r: {
  platform: PlatformProcess;
  user: Awaited<ReturnType<typeof createUser>>;
  dataUrl: string;
  tableName: string;
  total: number;
  step: number;
  maxPoints: number;
  warmup: number;
  queries: number;
  logger: Logger;
  name: string;
}): Promise<Omit<ChartQueryMeasurement, 'year'>> {
  const { platform, user, dataUrl, tableName, total, step, maxPoints, warmup, queries, logger } = r;
  const { device } = await user.api.registerDevice(r.name);
  const to = Date.now();
  const from = to - total * step;

  const credentials = await platform.credentials();
  const client = new DynamoDBClient({
    endpoint: platform.endpoints.awsEndpoint,
    region: platform.endpoints.region,
    ...(credentials ? { credentials } : {}),
  });
  let storeWriteUnits = 0;
  const documents = DynamoDBDocumentClient.from(client);
  const store = createTelemetryStore({
    client: documents,
    tableName,
    logger,
    onWriteUnits: (units) => (storeWriteUnits += units),
    rollups: createRollupWriter({
      client: documents,
      tableName: platform.endpoints.tables['rollups'] ?? rollupsTable.id,
      policyOf: () => Promise.resolve(defaultRetention),
      onWriteUnits: (units) => (storeWriteUnits += units),
    }),
  });
  const storeStarted = Date.now();
  try {
    const perCall = 3600;
    for (let first = 0; first < total; first += perCall) {
      const batch: Reading[] = [];
      for (let i = first; i < Math.min(total, first + perCall); i++) {
        // Device time in the range, seq counting up as a device's does; a slowly varying value.
        batch.push({ deviceId: device.deviceId, ts: from + 1 + i * step, seq: i + 1, values: { temperature: 20 + (i % 600) / 60 } });
      }
      const result = await store.writeHistorical(batch);
      if (result.failed.length > 0) throw new Error(`storing the chart readings failed: ${String(result.failed[0]?.error)}`);
    }
  } finally {
    client.destroy();
  }
  const storeMs = Date.now() - storeStarted;
  logger.info({ readings: total, storeMs, storeWriteUnits }, 'chart readings stored');

  const query = `from=${from}&to=${to}&maxPoints=${maxPoints}`;
  const headers = { authorization: `Bearer ${user.tokens.accessToken}` };
  const timeRoute = async (url: string): Promise<ChartRouteMeasurement> => {
    const { latencies, firstMs, lastText } = await timeGetsInChild({ url, headers, warmup, queries });
    const answer = JSON.parse(lastText || '{}') as IntervalsAnswer;
    const series = Object.values(answer.metrics ?? {});
    return {
      url,
      ...summarizeLatencies(latencies),
      readingsCounted: (series[0] ?? []).reduce((sum, i) => sum + i.count, 0),
      intervals: (series[0] ?? []).length,
      answerBytes: Buffer.byteLength(lastText),
      firstMs,
    };
  };
  logger.info({ queries, maxPoints }, 'timing the chart query on the Data Service route');
  const dataService = await timeRoute(`${dataUrl}/data/devices/${encodeURIComponent(device.deviceId)}/readings?${query}`);
  logger.info({ queries, maxPoints }, 'timing the chart query on the API route through the gateway');
  const api = await timeRoute(`${platform.endpoints.gatewayUrl}/api/devices/${encodeURIComponent(device.deviceId)}/telemetry?${query}`);
  return { readings: total, rangeMs: to - from, maxPoints, queries, storeMs, storeWriteUnits, dataService, api };
}
