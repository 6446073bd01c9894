/**
 * The three export formats, each a row writer over a byte sink with backpressure:
 *
 * - JSON Lines: `{"deviceId","ts","seq",...metrics}` a line, the import format as is;
 * - CSV: `deviceId,ts,seq,<metric>...` (RFC 4180; device ids and metric names need no quoting:
 *   their patterns allow no comma, quote or line break), an empty cell where a reading lacks a metric;
 * - Parquet (@dsnp/parquetjs): deviceId (UTF8), ts (TIMESTAMP_MILLIS), seq (INT64), one optional
 *   DOUBLE per metric. The writer buffers one row group (`parquetRowGroupRows`) and awaits each
 *   write's callback, so memory is bounded by the row group, not by the file.
 *
 * Numbers are written with JavaScript's shortest round-trip form, so an export re-imports bit for bit.
 */
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import parquet from '@dsnp/parquetjs';
import type { ExportFormat } from '@fleet/core';

export interface ExportRow {
  readonly deviceId: string;
  readonly ts: number;
  readonly seq: number;
  readonly values: Readonly<Record<string, number>>;
}

export interface RowWriter {
  write(row: ExportRow): Promise<void>;
  /** Writes what is buffered and the trailer, and ends the sink. */
  close(): Promise<void>;
}

/** Rows per Parquet row group: ≈ 1–2 MB of column data with a few metrics. */
export const parquetRowGroupRows = 20_000;

export const exportContentTypes: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson',
  parquet: 'application/vnd.apache.parquet',
};

/** A text writer that gathers lines into ~64 KB chunks and waits for the sink's drain. */
function textWriter(sink: Writable, header: string | undefined, line: (row: ExportRow) => string): RowWriter {
  let chunk = header === undefined ? '' : `${header}\n`;
  const flush = async () => {
    if (chunk === '') return;
    const ok = sink.write(chunk);
    chunk = '';
    if (!ok) await once(sink, 'drain');
  };
  return {
    async write(row) {
      chunk += `${line(row)}\n`;
      if (chunk.length >= 64 * 1024) await flush();
    },
    async close() {
      await flush();
      sink.end();
    },
  };
}

export function jsonLinesWriter(sink: Writable, metrics: readonly string[] | undefined): RowWriter {
  return textWriter(sink, undefined, (row) => {
    const line: Record<string, number | string> = { deviceId: row.deviceId, ts: row.ts, seq: row.seq };
    for (const name of metrics ?? Object.keys(row.values)) {
      const value = row.values[name];
      if (value !== undefined) line[name] = value;
    }
    return JSON.stringify(line);
  });
}

export function csvWriter(sink: Writable, metrics: readonly string[]): RowWriter {
  return textWriter(sink, ['deviceId', 'ts', 'seq', ...metrics].join(','), (row) =>
    [row.deviceId, row.ts, row.seq, ...metrics.map((m) => (row.values[m] === undefined ? '' : String(row.values[m])))].join(','),
  );
}

export async function parquetWriter(sink: Writable, metrics: readonly string[]): Promise<RowWriter> {
  const schema = new parquet.ParquetSchema({
    deviceId: { type: 'UTF8' },
    ts: { type: 'TIMESTAMP_MILLIS' },
    seq: { type: 'INT64' },
    ...Object.fromEntries(metrics.map((m) => [m, { type: 'DOUBLE', optional: true }])),
  });
  // Typed as a file stream, but the writer only calls write(chunk, callback) and end() (its util.oswrite and osend).
  const stream = sink as unknown as Parameters<typeof parquet.ParquetWriter.openStream>[1];
  const writer = await parquet.ParquetWriter.openStream(schema, stream, { rowGroupSize: parquetRowGroupRows });
  return {
    async write(row) {
      const record: Record<string, unknown> = { deviceId: row.deviceId, ts: new Date(row.ts), seq: row.seq };
      for (const m of metrics) if (row.values[m] !== undefined) record[m] = row.values[m];
      await writer.appendRow(record);
    },
    // The writer's close writes the last row group and the footer, then ends the sink.
    close: () => writer.close(),
  };
}

/** The writer of a format; CSV and Parquet need the metric columns up front. */
export async function rowWriterFor(format: ExportFormat, sink: Writable, metrics: readonly string[] | undefined): Promise<RowWriter> {
  if (format === 'jsonl') return jsonLinesWriter(sink, metrics);
  if (!metrics) throw new Error(`the ${format} format needs its metric columns`);
  return format === 'csv' ? csvWriter(sink, metrics) : parquetWriter(sink, metrics);
}
