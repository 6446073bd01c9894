/**
 * The CloudWatch stand-in of the local cloud: metrics and alarms (signing name `monitoring`,
 * AWS JSON 1.0 with `X-Amz-Target: GraniteServiceVersion20100801.<Op>`, which is what the
 * installed @aws-sdk/client-cloudwatch sends), CloudWatch Logs (signing name `logs`, AWS JSON 1.1,
 * `Logs_20140328.<Op>`) and Embedded Metric Format lines read from service output.
 *
 * Persistence under `dataDir`: `metrics.json` (one-minute aggregates, snapshotted every
 * `snapshotIntervalMs` when changed and on close: a crash loses at most that much metric data),
 * `alarms.json` (written after every alarm change), `logs/` (JSON lines per stream, appended
 * before PutLogEvents answers).
 */
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import { AwsError, jsonError, jsonProtocolHandler, type AwsServiceHandler } from '../aws-endpoint/index.ts';
import { alarmOperations } from './alarm-operations.ts';
import { createAlarmStore, type AlarmDocument } from './alarm-store.ts';
import { readJsonFile, writeFileAtomically } from '../durable-files/atomic-file.ts';
import { parseEmfLine } from './emf.ts';
import { logOperations, validateLogGroupName } from './log-operations.ts';
import { openLogStore, type LogEvent, type LogStore } from './log-store.ts';
import { metricOperations } from './metric-operations.ts';
import { createMetricStore, type MetricSnapshot } from './metric-store.ts';

export interface CloudWatchStandInOptions {
  readonly dataDir: string;
  readonly region: string;
  readonly accountId: string;
  readonly log: Logger;
  /** Epoch ms; injectable so tests control alarm periods. @default Date.now */
  readonly clock?: () => number;
  /** How often alarms are evaluated while open; 0 turns the timer off (call `evaluateAlarms`). @default 10000 */
  readonly evaluationIntervalMs?: number;
  /** How often changed metrics are snapshotted to disk. @default 60000 */
  readonly snapshotIntervalMs?: number;
  /** Log data kept per log group before the oldest events are dropped. @default 64 MiB */
  readonly maxLogGroupBytes?: number;
  /** Log stream that EMF lines are appended to in their log group. @default 'emf' */
  readonly emfLogStreamName?: string;
}

export interface CloudWatchStandIn {
  /** Handler for the signing name `monitoring` (metrics and alarms). */
  readonly metricsHandler: AwsServiceHandler;
  /** Handler for the signing name `logs`. */
  readonly logsHandler: AwsServiceHandler;
  /**
   * If `line` is an Embedded Metric Format document, records its metrics and appends the line to
   * `logGroupName` (created if missing) and returns true; otherwise returns false and stores nothing.
   */
  ingestEmfLine(line: string, logGroupName: string): boolean;
  /** Evaluates every alarm now (the timer does this every `evaluationIntervalMs`). */
  evaluateAlarms(): Promise<void>;
  /** Stops the timers and writes everything to disk. */
  close(): Promise<void>;
}

const emfPastLimitMs = 14 * 24 * 3600_000;
const emfFutureLimitMs = 2 * 3600_000;

export async function createCloudWatchStandIn(options: CloudWatchStandInOptions): Promise<CloudWatchStandIn> {
  const { dataDir, region, accountId, log } = options;
  const clock = options.clock ?? Date.now;
  const metricsFile = join(dataDir, 'metrics.json');
  const metrics = createMetricStore({
    snapshot: await readJsonFile<MetricSnapshot>(metricsFile, 'a document written by the CloudWatch stand-in'),
  });
  const alarms = createAlarmStore({
    file: join(dataDir, 'alarms.json'),
    document: await readJsonFile<AlarmDocument>(join(dataDir, 'alarms.json'), 'a document written by the CloudWatch stand-in'),
    metrics,
    clock,
    log,
  });
  const logs: LogStore = await openLogStore({
    dir: join(dataDir, 'logs'),
    maxGroupBytes: options.maxLogGroupBytes ?? 64 * 1024 * 1024,
    log,
  });

  const monitoringJson = jsonProtocolHandler({
    service: 'CloudWatch',
    contentType: 'application/x-amz-json-1.0',
    operations: { ...metricOperations({ store: metrics, clock }), ...alarmOperations({ alarms, clock, region, accountId }) },
  });
  // The SDK gzips PutMetricData bodies of 10 KiB and more (the operation's requestCompression trait).
  const metricsHandler: AwsServiceHandler = async (req) => {
    if (req.headers['content-encoding'] !== 'gzip') return monitoringJson(req);
    let body: Buffer;
    try {
      body = gunzipSync(req.body);
    } catch {
      return jsonError(new AwsError('SerializationException', 'Request body is not valid gzip'), 'application/x-amz-json-1.0');
    }
    return monitoringJson({ ...req, body });
  };
  const logsHandler = jsonProtocolHandler({
    service: 'CloudWatch Logs',
    contentType: 'application/x-amz-json-1.1',
    operations: logOperations({ store: logs, clock, region, accountId }),
  });

  let snapshotting: Promise<void> = Promise.resolve();
  function snapshotMetrics(): Promise<void> {
    snapshotting = snapshotting
      .then(async () => {
        if (metrics.dirty()) await writeFileAtomically(metricsFile, JSON.stringify(metrics.snapshot()));
      })
      .catch((err: unknown) => log.error({ err, file: metricsFile }, 'could not snapshot CloudWatch metrics'));
    return snapshotting;
  }

  async function evaluateAlarms(): Promise<void> {
    const now = clock();
    metrics.prune(now);
    logs.applyRetention(now);
    alarms.evaluate();
    await alarms.flush();
  }

  // EMF lines wait in a queue and are written by one flush at a time, a whole batch per log group
  // in one append: the group and stream created for one line exist for the next, and a chatty
  // service costs one file write per flush, not one per line.
  const emfStream = options.emfLogStreamName ?? 'emf';
  let emfPending = new Map<string, LogEvent[]>();
  let emfFlushing: Promise<void> | undefined;
  async function flushEmf(): Promise<void> {
    try {
      while (emfPending.size > 0) {
        const batch = emfPending;
        emfPending = new Map();
        for (const [logGroupName, events] of batch) {
          try {
            const now = clock();
            if (!logs.group(logGroupName)) await logs.createGroup(logGroupName, now);
            const group = logs.group(logGroupName);
            if (!group) continue;
            const stream = group.streams.get(emfStream) ?? (await logs.createStream(group, emfStream, now));
            await logs.append(group, stream, events);
          } catch (err) {
            log.error({ err, logGroupName, lines: events.length }, 'could not append EMF lines to their log group');
          }
        }
      }
    } finally {
      emfFlushing = undefined;
    }
  }

  let closed: Promise<void> | undefined;
  function ingestEmfLine(line: string, logGroupName: string): boolean {
    const doc = parseEmfLine(line);
    if (!doc) return false;
    if (closed) {
      log.debug({ logGroupName }, 'EMF line arrived after close: not stored');
      return true;
    }
    const now = clock();
    if (doc.problems.length > 0)
      log.warn({ logGroupName, problems: doc.problems }, 'EMF document partly invalid: those metrics were not extracted');
    const timestamp = doc.timestamp ?? now;
    if (timestamp < now - emfPastLimitMs || timestamp > now + emfFutureLimitMs) {
      log.warn({ logGroupName, timestamp }, 'EMF timestamp more than 14 days old or 2 hours ahead: metrics dropped, as CloudWatch does');
    } else {
      for (const m of doc.metrics) metrics.record(m.metric, m.unit, timestamp, m.aggregate);
    }
    try {
      validateLogGroupName(logGroupName);
    } catch (err) {
      log.warn({ logGroupName, err }, 'EMF line not stored: the log group name is not valid for CloudWatch Logs');
      return true;
    }
    const queue = emfPending.get(logGroupName) ?? [];
    queue.push({ timestamp, message: line.trim(), ingestionTime: now });
    emfPending.set(logGroupName, queue);
    // Started on a later tick so the `finally` that clears it can never run before it is set.
    emfFlushing ??= Promise.resolve().then(flushEmf);
    return true;
  }

  const evaluationMs = options.evaluationIntervalMs ?? 10_000;
  const evaluationTimer =
    evaluationMs > 0
      ? setInterval(() => {
          evaluateAlarms().catch((err: unknown) => log.error({ err }, 'alarm evaluation failed'));
        }, evaluationMs)
      : undefined;
  evaluationTimer?.unref();
  const snapshotTimer = setInterval(() => void snapshotMetrics(), options.snapshotIntervalMs ?? 60_000);
  snapshotTimer.unref();

  return {
    metricsHandler,
    logsHandler,
    ingestEmfLine,
    evaluateAlarms,
    close() {
      closed ??= (async () => {
        clearInterval(evaluationTimer);
        clearInterval(snapshotTimer);
        while (emfFlushing) await emfFlushing;
        await snapshotMetrics();
        await alarms.flush();
        await logs.close();
      })();
      return closed;
    },
  };
}
