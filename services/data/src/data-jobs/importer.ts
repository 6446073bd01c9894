/**
 * The import job: the uploaded object `imports/<jobId>.<csv|jsonl>` streamed line by line (never the
 * whole file in memory), each row validated (import-rows.ts) and the valid ones stored in batches
 * (historical-batches.ts). Idempotent on (device, ts, seq): a second run of the same file reports
 * every row as a duplicate. Progress counts the bytes read against the file's size.
 */
import { createInterface } from 'node:readline';
import { Transform, type Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { telemetryBucket, type ImportFormat, type ImportJobInput } from '@fleet/core';
import { createHistoricalBatches, type HistoricalDeps } from './historical-batches.ts';
import { parseCsvHeader, parseCsvLine, parseJsonLine, type CsvHeader } from './import-rows.ts';
import type { JobContext } from './job-runner.ts';
import type { JobOutcome } from './job-store.ts';

export interface ImporterDeps extends HistoricalDeps {
  readonly s3: S3Client;
  readonly bucket: string;
}

/** The object key an import's file is uploaded to. */
export const importKey = (jobId: string, format: ImportFormat) => `${telemetryBucket.prefixes.imports}${jobId}.${format}`;

export const importContentTypes: Readonly<Record<ImportFormat, string>> = {
  csv: 'text/csv',
  jsonl: 'application/x-ndjson',
};

/** The size of an uploaded import file; undefined when nothing was uploaded. */
export async function uploadedBytes(s3: S3Client, bucket: string, key: string): Promise<number | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.ContentLength ?? 0;
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'NotFound' || name === 'NoSuchKey') return undefined;
    throw err;
  }
}

/** Runs an import job. */
export async function runImport(deps: ImporterDeps, context: JobContext, input: ImportJobInput): Promise<JobOutcome> {
  const now = (deps.now ?? Date.now)();
  const key = importKey(context.job.id, input.format);
  const object = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: key }), { abortSignal: context.signal });
  const total = object.ContentLength ?? input.bytes;
  let read = 0;
  const counted = (object.Body as Readable).pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        read += chunk.length;
        callback(null, chunk);
      },
    }),
  );
  const batches = createHistoricalBatches(deps);
  let header: CsvHeader | undefined;
  let lineNumber = 0;
  for await (const raw of createInterface({ input: counted, crlfDelay: Infinity })) {
    context.signal.throwIfAborted();
    lineNumber++;
    // A UTF-8 byte order mark (spreadsheet exports) is not part of the first field.
    const line = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') continue;
    if (input.format === 'csv' && !header) {
      const parsed = parseCsvHeader(line);
      if (typeof parsed === 'string') return { status: 'failed', error: `line 1: ${parsed}` };
      header = parsed;
      continue;
    }
    const row = header ? parseCsvLine(line, header, input.deviceId, now) : parseJsonLine(line, input.deviceId, now);
    if (row.ok) await batches.add(row.reading);
    else batches.reject(lineNumber, row.reason);
    if (lineNumber % 1000 === 0) context.progress(read, total);
  }
  await batches.flush();
  context.progress(read, total);
  const { accepted, duplicates, rejected, errors } = batches.report;
  return { status: 'succeeded', result: { accepted, duplicates, rejected, errors, bytes: read } };
}
