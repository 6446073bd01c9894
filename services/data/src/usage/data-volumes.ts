/**
 * The data's volume as DynamoDB and S3 report it: DescribeTable's ItemCount and TableSizeBytes (which
 * DynamoDB refreshes about every six hours: approximate) for the raw and rollup tables, and a bounded
 * ListObjectsV2 of the archive and exports prefixes (approximate when the listing was cut short).
 * The devices are counted exactly (a Scan of the latest table, `Select: COUNT`, one small item per
 * device: about 0.5 read unit per 4 KB, i.e. ~40 units for 1,000 devices), since a six-hour-old
 * count would hide a newly provisioned fleet.
 */
import { DescribeTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { telemetryBucket, type DataStore } from '@fleet/core';

export interface DataVolume {
  readonly store: DataStore;
  readonly items: number;
  readonly bytes: number;
  readonly approximate: boolean;
}

export interface VolumeSources {
  readonly dynamo: Pick<DynamoDBDocumentClient, 'send'>;
  readonly s3: Pick<S3Client, 'send'>;
  readonly bucket: string;
  readonly tables: { readonly telemetry: string; readonly rollups: string; readonly latest: string };
  /** ListObjectsV2 pages (1,000 keys each) read per prefix before the figure is called approximate. @default 10 */
  readonly maxPages?: number;
  /** Keys per ListObjectsV2 page. @default 1000 (the S3 maximum) */
  readonly pageSize?: number;
}

/** Items and bytes of a table by DescribeTable. */
export async function tableVolume(dynamo: VolumeSources['dynamo'], table: string): Promise<{ items: number; bytes: number }> {
  const out = await dynamo.send(new DescribeTableCommand({ TableName: table }));
  return { items: out.Table?.ItemCount ?? 0, bytes: out.Table?.TableSizeBytes ?? 0 };
}

/** Items of a table by a counting Scan, stopping after `maxPages` pages (1 MB each). */
async function countItems(dynamo: VolumeSources['dynamo'], table: string, maxPages: number): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < maxPages; page++) {
    const out = await dynamo.send(new ScanCommand({ TableName: table, Select: 'COUNT', ExclusiveStartKey: startKey as never }));
    count += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
    if (!startKey) break;
  }
  return count;
}

async function prefixVolume(sources: VolumeSources, prefix: string): Promise<{ items: number; bytes: number; approximate: boolean }> {
  const maxPages = sources.maxPages ?? 10;
  let items = 0;
  let bytes = 0;
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const out = await sources.s3.send(
      new ListObjectsV2Command({ Bucket: sources.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: sources.pageSize ?? 1000 }),
    );
    for (const o of out.Contents ?? []) {
      items += 1;
      bytes += o.Size ?? 0;
    }
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
    if (!token) return { items, bytes, approximate: false };
  }
  return { items, bytes, approximate: true };
}

/** The four stores' volumes and the devices (items of the latest table, one per device). */
export async function measureVolumes(sources: VolumeSources): Promise<{ volumes: DataVolume[]; devices: number }> {
  const { prefixes } = telemetryBucket;
  const [raw, rollups, devices, archive, exports] = await Promise.all([
    tableVolume(sources.dynamo, sources.tables.telemetry),
    tableVolume(sources.dynamo, sources.tables.rollups),
    countItems(sources.dynamo, sources.tables.latest, sources.maxPages ?? 10),
    prefixVolume(sources, prefixes.archive),
    prefixVolume(sources, prefixes.exports),
  ]);
  return {
    volumes: [
      { store: 'raw', ...raw, approximate: true },
      { store: 'rollups', ...rollups, approximate: true },
      { store: 'archive', ...archive },
      { store: 'exports', ...exports },
    ],
    devices,
  };
}
