/**
 * The data's volume and what it costs: `GET /data-usage`, shown on the web app's Data page next to
 * the retention. Volumes are measured (DynamoDB DescribeTable, S3 listing); the cost is modelled
 * (cost/model.ts, every price in cost/prices.ts with its source and date) from the fleet's size, its
 * measured ingest rate and the retention settings.
 */
import { Type, type Static } from 'typebox';

export const dataStores = ['raw', 'rollups', 'archive', 'exports'] as const;
export type DataStore = (typeof dataStores)[number];

export const DataVolumeSchema = Type.Object({
  store: Type.Enum(dataStores, { description: 'raw readings (DynamoDB), rollups (DynamoDB), the S3 archive, exports (S3)' }),
  items: Type.Integer({ minimum: 0, description: 'Table items, or S3 objects' }),
  bytes: Type.Integer({ minimum: 0 }),
  /** DynamoDB refreshes DescribeTable's figures about every six hours; an S3 listing stops at a bound. */
  approximate: Type.Boolean(),
});

export const CostLineSchema = Type.Object({
  item: Type.String({ maxLength: 128, description: 'What is billed, e.g. "DynamoDB writes (raw)"' }),
  usd: Type.Number({ minimum: 0, description: 'Modelled USD per month' }),
  basis: Type.String({ maxLength: 512, description: 'How it is computed: the quantity and the price' }),
});
export type CostLine = Static<typeof CostLineSchema>;

export const DataUsageSchema = Type.Object({
  measuredAt: Type.String({ format: 'date-time', maxLength: 40 }),
  volumes: Type.Array(DataVolumeSchema, { maxItems: dataStores.length }),
  model: Type.Object({
    devices: Type.Integer({ minimum: 0, description: 'Registered devices' }),
    readingsPerSecond: Type.Number({ minimum: 0, description: 'Measured ingest rate the model assumes' }),
    monthlyUsd: Type.Number({ minimum: 0 }),
    perMillionReadingsUsd: Type.Number({ minimum: 0 }),
    lines: Type.Array(CostLineSchema, { maxItems: 64 }),
    pricesAsOf: Type.String({ maxLength: 40, description: 'Date of the price list (cost/prices.ts)' }),
  }),
});
export type DataUsage = Static<typeof DataUsageSchema>;

/**
 * The HTTP paths of the data's life, the same under `/api` (the API Service, for users) and `/data`
 * (the Data Service, which owns them; the API relays with the caller's token).
 */
export const dataLifePaths = {
  /** GET RetentionSettings; PUT RetentionSettingsInput → RetentionSettings (manageRetention). */
  retention: '/retention',
  /** GET DataUsage (readDataUsage). */
  usage: '/data-usage',
  /** GET DataJobPage `?kind=&limit=&nextToken=`; POST DataJobInput → 201 DataJob (an import: awaiting-upload, with its upload link). */
  jobs: '/data-jobs',
  /** GET DataJob (an export that succeeded carries a fresh download link). */
  job: '/data-jobs/:id',
  /** POST: an import whose file is uploaded → queued; 409 JobStateConflict otherwise, 400 when the file is missing or too large. */
  startJob: '/data-jobs/:id/start',
} as const;
