/**
 * Data jobs: the long-running work on a fleet's data, each asynchronous with its progress, run by the
 * Data Service (which owns the telemetry table, the rollups and the bucket) and relayed by the API:
 *
 * - **export**: readings of devices or a thing group × a time range × metrics, written to S3 as CSV,
 *   JSON Lines or Parquet (streamed: memory does not grow with the size), handed back as a presigned
 *   download link;
 * - **import**: historical readings of one device with their own timestamps (CSV or JSON Lines),
 *   uploaded by the client straight to S3 with a presigned PUT (API Gateway takes at most 10 MB a
 *   request; a year of 1-minute readings is ≈ 20 MB), validated row by row with a report, idempotent
 *   on (device, ts, seq), rollups updated;
 * - **replay**: the raw archive (`archive/`) read back into the telemetry table and the rollups, e.g.
 *   to rebuild a fresh stack.
 *
 * Jobs live in the `fleet-data-control` table; a task claims a queued job with a conditional write
 * and a lease, so two Data Service tasks never run the same job and a crashed task's job is resumed.
 */
import { Type, type Static } from 'typebox';
import { GroupNameSchema } from '../alarm-contract.ts';
import type { Permission } from '../auth.ts';
import { DeviceIdSchema } from '../telemetry-contract.ts';
import { telemetryLimits } from '../telemetry.ts';

export const dataJobLimits = {
  /** Devices named in one export. */
  maxExportDevices: 100,
  /** Metrics named in one export. */
  maxExportMetrics: 32,
  /** An import file (the presigned PUT is signed for at most this length). */
  maxImportBytes: 256 * 1024 * 1024,
  /** Rejected rows listed in an import's report (all are counted). */
  maxReportedErrors: 100,
  /** Presigned links (upload and download) stay valid this long. */
  linkSeconds: 3600,
  /** Jobs listed per page; finished jobs leave the list after `keepDays` (DynamoDB TTL). */
  maxPage: 50,
  keepDays: 30,
} as const;

export const exportFormats = ['csv', 'jsonl', 'parquet'] as const;
export type ExportFormat = (typeof exportFormats)[number];
export const importFormats = ['csv', 'jsonl'] as const;
export type ImportFormat = (typeof importFormats)[number];

export const dataJobKinds = ['export', 'import', 'replay'] as const;
export type DataJobKind = (typeof dataJobKinds)[number];

/** The permission creating a job of each kind needs (auth.ts); checked by the API and the Data Service. */
export const dataJobPermissions: Readonly<Record<DataJobKind, Permission>> = {
  export: 'exportData',
  import: 'importData',
  replay: 'replayArchive',
};

/**
 * `awaiting-upload` (an import until its file is uploaded and started) → `queued` → `running` →
 * `succeeded` | `failed`.
 */
export const dataJobStatuses = ['awaiting-upload', 'queued', 'running', 'succeeded', 'failed'] as const;
export type DataJobStatus = (typeof dataJobStatuses)[number];

const epochMs = (description: string) => Type.Integer({ minimum: 0, description: `${description}, epoch milliseconds` });
const isoTime = (description: string) => Type.String({ format: 'date-time', maxLength: 40, description: `${description} (ISO 8601)` });
const MetricNameSchema = Type.String({ pattern: telemetryLimits.metricNamePattern.source, maxLength: 64 });

export const ExportJobInputSchema = Type.Object(
  {
    kind: Type.Literal('export'),
    deviceIds: Type.Optional(
      Type.Array(DeviceIdSchema, {
        minItems: 1,
        maxItems: dataJobLimits.maxExportDevices,
        uniqueItems: true,
        description: 'Devices to export',
      }),
    ),
    groupName: Type.Optional({ ...GroupNameSchema, description: 'Export every device of this thing group (instead of deviceIds)' }),
    from: epochMs('Range start (inclusive)'),
    to: epochMs('Range end (inclusive)'),
    metrics: Type.Optional(
      Type.Array(MetricNameSchema, {
        minItems: 1,
        maxItems: dataJobLimits.maxExportMetrics,
        uniqueItems: true,
        description: 'Metrics to export; all when absent',
      }),
    ),
    format: Type.Enum(exportFormats, {
      description: 'csv (ts,seq,deviceId then one column per metric), jsonl (the import format) or parquet',
    }),
  },
  { additionalProperties: false },
);
export type ExportJobInput = Static<typeof ExportJobInputSchema>;

export const ImportJobInputSchema = Type.Object(
  {
    kind: Type.Literal('import'),
    deviceId: DeviceIdSchema,
    format: Type.Enum(importFormats, {
      description:
        'csv: a header `ts,seq,<metric>...` (seq optional; ts epoch ms or ISO 8601); jsonl: one reading a line as a device publishes it',
    }),
    bytes: Type.Integer({ minimum: 1, maximum: dataJobLimits.maxImportBytes, description: 'Size of the file to upload' }),
  },
  { additionalProperties: false },
);
export type ImportJobInput = Static<typeof ImportJobInputSchema>;

export const ReplayJobInputSchema = Type.Object(
  {
    kind: Type.Literal('replay'),
    from: epochMs('First archive hour (by broker receive time) to replay, inclusive'),
    to: epochMs('Last archive hour to replay, inclusive'),
  },
  { additionalProperties: false },
);
export type ReplayJobInput = Static<typeof ReplayJobInputSchema>;

export const DataJobInputSchema = Type.Union([ExportJobInputSchema, ImportJobInputSchema, ReplayJobInputSchema]);
export type DataJobInput = Static<typeof DataJobInputSchema>;

export const DataJobIdSchema = Type.String({
  pattern: '^[a-z0-9-]{8,64}$',
  maxLength: 64,
  description: 'Data job id (chosen by the service)',
});

/** A rejected row of an import (or an unreadable archive line of a replay). */
export const DataJobRowErrorSchema = Type.Object({
  line: Type.Integer({ minimum: 1, description: 'Line number in the file (1 = the first line)' }),
  reason: Type.String({ maxLength: 512 }),
});

export const DataJobSchema = Type.Object({
  id: DataJobIdSchema,
  input: DataJobInputSchema,
  status: Type.Enum(dataJobStatuses),
  createdAt: isoTime('Created'),
  createdBy: Type.String({ maxLength: 256, description: 'The user who created it' }),
  updatedAt: isoTime('Last progress'),
  progress: Type.Object({
    done: Type.Integer({ minimum: 0, description: 'Readings exported, rows imported or archive objects replayed so far' }),
    total: Type.Optional(
      Type.Integer({ minimum: 0, description: 'The total when known (an import: the file size in bytes is known, not the rows)' }),
    ),
    unit: Type.Enum(['readings', 'rows', 'objects', 'bytes'] as const),
  }),
  /** An import's upload link while it waits for its file. */
  upload: Type.Optional(
    Type.Object({
      url: Type.String({ maxLength: 4096, description: 'PUT the file here (presigned S3 URL), with the Content-Type it names' }),
      contentType: Type.String({ maxLength: 64 }),
      expiresAt: isoTime('Until when the link works'),
    }),
  ),
  result: Type.Optional(
    Type.Object({
      /** Exports. */
      downloadUrl: Type.Optional(Type.String({ maxLength: 4096, description: 'Presigned S3 GET link of the file' })),
      downloadExpiresAt: Type.Optional(isoTime('Until when the link works (ask for the job again for a fresh one)')),
      bytes: Type.Optional(Type.Integer({ minimum: 0 })),
      readings: Type.Optional(Type.Integer({ minimum: 0, description: 'Readings exported, or replayed' })),
      /** Imports and replays. */
      accepted: Type.Optional(Type.Integer({ minimum: 0, description: 'Rows stored for the first time' })),
      duplicates: Type.Optional(Type.Integer({ minimum: 0, description: 'Rows already stored (same device, ts and seq)' })),
      rejected: Type.Optional(Type.Integer({ minimum: 0, description: 'Rows refused; the first ones are listed in errors' })),
      errors: Type.Optional(Type.Array(DataJobRowErrorSchema, { maxItems: dataJobLimits.maxReportedErrors })),
    }),
  ),
  /** Why a failed job failed. */
  error: Type.Optional(Type.String({ maxLength: 1024 })),
});
export type DataJob = Static<typeof DataJobSchema>;

export const DataJobPageSchema = Type.Object({
  jobs: Type.Array(DataJobSchema, { maxItems: dataJobLimits.maxPage, description: 'Newest first' }),
  nextToken: Type.Optional(Type.String({ maxLength: 1024 })),
});
export type DataJobPage = Static<typeof DataJobPageSchema>;

export const DataJobListQuerySchema = Type.Object(
  {
    kind: Type.Optional(Type.Enum(dataJobKinds)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: dataJobLimits.maxPage, default: 20 })),
    nextToken: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false },
);
