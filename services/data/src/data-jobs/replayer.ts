/**
 * The replay job: the raw archive (`archive/yyyy/MM/dd/HH/*.jsonl`, archive-writer.ts) of the hours
 * from..to read back, every line stored again through the historical write and the latest store.
 * A reading archived twice (a redelivery in another batch) is stored once: the write is idempotent
 * on (deviceId, ts, seq) as the table is, and counts the second as a duplicate. Progress = objects.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describeJsonValue, parseMetrics, type ReplayJobInput } from '@fleet/core';
import { archiveHourPrefix } from '../archive-writer.ts';
import { createHistoricalBatches, type HistoricalDeps } from './historical-batches.ts';
import type { JobContext } from './job-runner.ts';
import type { JobOutcome } from './job-store.ts';

export interface ReplayerDeps extends HistoricalDeps {
  readonly s3: S3Client;
  readonly bucket: string;
}

const hourMs = 3_600_000;

/** The archive hour prefixes of from..to (inclusive, by the hour). */
export function archiveHours(from: number, to: number): string[] {
  const hours: string[] = [];
  for (let at = Math.floor(from / hourMs) * hourMs; at <= to; at += hourMs) hours.push(archiveHourPrefix(at));
  return hours;
}

/** One archived line (archive-writer.ts ArchiveEntry) as a reading, or why not. */
function readingOfArchiveLine(line: string) {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
  const { deviceId, ts, seq, values } = e;
  if (typeof deviceId !== 'string' || deviceId === '') return `"deviceId" must be a string, received ${describeJsonValue(deviceId)}`;
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts <= 0) return `"ts" must be epoch ms, received ${describeJsonValue(ts)}`;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)
    return `"seq" must be a non-negative integer, received ${describeJsonValue(seq)}`;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return `"values" must be an object`;
  const metrics = parseMetrics(values as Record<string, unknown>, new Set());
  return metrics.ok ? { deviceId, ts, seq, values: metrics.values } : metrics.reason;
}

/** Runs a replay job. */
export async function runReplay(deps: ReplayerDeps, context: JobContext, input: ReplayJobInput): Promise<JobOutcome> {
  const batches = createHistoricalBatches(deps);
  let objects = 0;
  let readings = 0;
  for (const prefix of archiveHours(input.from, input.to)) {
    let token: string | undefined;
    do {
      const page = await deps.s3.send(new ListObjectsV2Command({ Bucket: deps.bucket, Prefix: prefix, ContinuationToken: token }), {
        abortSignal: context.signal,
      });
      for (const { Key } of page.Contents ?? []) {
        if (!Key?.endsWith('.jsonl')) continue;
        const object = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key }), { abortSignal: context.signal });
        let lineNumber = 0;
        for await (const line of createInterface({ input: object.Body as Readable, crlfDelay: Infinity })) {
          lineNumber++;
          if (line.trim() === '') continue;
          const reading = readingOfArchiveLine(line);
          if (typeof reading === 'string') {
            // The reason names the object: line numbers restart in every object.
            batches.reject(lineNumber, `${Key}: ${reading}`);
            continue;
          }
          readings++;
          await batches.add(reading);
        }
        objects++;
        context.progress(objects);
      }
      token = page.NextContinuationToken;
    } while (token);
  }
  await batches.flush();
  const { accepted, duplicates, rejected, errors } = batches.report;
  return { status: 'succeeded', result: { readings, accepted, duplicates, rejected, errors } };
}
