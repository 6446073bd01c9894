/**
 * The export job: the readings of devices (named, or every thing of a thing group) × [from, to] ×
 * metrics, streamed into one S3 object `exports/<jobId>.<csv|jsonl|parquet>` by a multipart Upload
 * (@aws-sdk/lib-storage) with a bounded part queue. Each device is read through
 * `TelemetryStore.query`, an async generator paged by DynamoDB: memory holds one query page, the
 * sink's buffer and the parts in flight, whatever the export's size.
 *
 * CSV and Parquet need their metric columns first: without `metrics`, a first pass over the same
 * readings discovers them (reads twice, holds only the names).
 */
import { Transform } from 'node:stream';
import type { IoTClient } from '@aws-sdk/client-iot';
import { groupDevices } from '../group-membership.ts';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { retentionLimits, telemetryBucket, type ExportFormat, type ExportJobInput } from '@fleet/core';
import type { TelemetryStore } from '../telemetry-store.ts';
import { exportContentTypes, rowWriterFor } from './export-formats.ts';
import type { JobContext } from './job-runner.ts';
import type { JobOutcome } from './job-store.ts';

export interface ExporterDeps {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly telemetry: Pick<TelemetryStore, 'query'>;
  readonly iot?: Pick<IoTClient, 'send'>;
  /** Parts uploaded at once; with 5 MiB parts, the most an export holds in flight. @default 2 */
  readonly queueSize?: number;
}

/** The object key of an export. */
export const exportKey = (jobId: string, format: ExportFormat) => `${telemetryBucket.prefixes.exports}${jobId}.${format}`;

/** Runs an export job. */
export async function runExport(deps: ExporterDeps, context: JobContext, input: ExportJobInput): Promise<JobOutcome> {
  const { signal } = context;
  let devices: string[];
  if (input.deviceIds) devices = [...input.deviceIds];
  else if (input.groupName !== undefined && deps.iot) devices = await groupDevices(deps.iot, input.groupName);
  else return { status: 'failed', error: 'the export names neither deviceIds nor a groupName (or groups are not available)' };

  // The raw table is read a UTC day at a time: a range reaching back before anything can be kept
  // (`from: 0`) would otherwise cost one empty Query per day since 1970.
  const from = Math.max(input.from, Date.now() - (retentionLimits.maxDays + 1) * 86_400_000);
  const readings = async function* () {
    for (const deviceId of devices) {
      for await (const r of deps.telemetry.query({ deviceId, from, to: input.to })) {
        signal.throwIfAborted();
        yield { deviceId, ...r };
      }
    }
  };
  let metrics = input.metrics;
  if (!metrics && input.format !== 'jsonl') {
    const seen = new Set<string>();
    for await (const r of readings()) for (const name in r.values) seen.add(name);
    metrics = [...seen].sort();
  }
  const wanted = metrics ? new Set(metrics) : undefined;

  const key = exportKey(context.job.id, input.format);
  let bytes = 0;
  // Counted as they pass: a 'data' listener would put the stream in flowing mode beside the Upload's reader.
  const body = new Transform({
    highWaterMark: 1024 * 1024,
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  const upload = new Upload({
    client: deps.s3,
    params: { Bucket: deps.bucket, Key: key, Body: body, ContentType: exportContentTypes[input.format] },
    queueSize: deps.queueSize ?? 2,
    partSize: 5 * 1024 * 1024,
    leavePartsOnError: false,
  });
  const uploaded = upload.done();
  // A failed upload stops the writer with its error: the sink's drain would never come.
  uploaded.catch((err: unknown) => body.destroy(err instanceof Error ? err : new Error(String(err))));
  // Aborting the multipart upload deletes its parts (S3 AbortMultipartUpload; the IAM grant names exports/).
  const abort = () => void upload.abort().catch(() => undefined);
  signal.addEventListener('abort', abort, { once: true });
  try {
    const writer = await rowWriterFor(input.format, body, metrics);
    let count = 0;
    for await (const r of readings()) {
      if (wanted && !Object.keys(r.values).some((name) => wanted.has(name))) continue;
      await writer.write(r);
      count++;
      if (count % 1000 === 0) context.progress(count);
    }
    await writer.close();
    await uploaded;
    context.progress(count);
    return { status: 'succeeded', result: { readings: count, bytes } };
  } catch (err) {
    abort();
    throw err;
  } finally {
    signal.removeEventListener('abort', abort);
  }
}
