/**
 * Raw archive: accepted readings in batched JSON Lines objects,
 * `archive/<yyyy>/<MM>/<dd>/<HH>/<key>.jsonl` (UTC hour of the broker's receive time).
 *
 * The key is a hash of the batch's message ids, so a batch processed again after a failure
 * overwrites its object instead of adding a copy. (A message redelivered inside a DIFFERENT batch
 * lands in a second object; archive readers dedupe on (deviceId, ts, seq) as the table does.)
 * One PUT per flush, not per message: S3 charges $0.005 per 1,000 PUTs.
 */
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mapWithLimit, telemetryBucket } from '@fleet/core';
import { withBackoff } from './retry.ts';

/** One archived line. */
export interface ArchiveEntry {
  readonly messageId: string;
  readonly deviceId: string;
  readonly receivedAt: number;
  readonly ts: number;
  readonly seq: number;
  readonly values: Readonly<Record<string, number>>;
}

export interface ArchiveWriteResult {
  /** Objects written. */
  readonly objects: readonly string[];
  /** Message ids whose object failed to write. */
  readonly failedMessageIds: ReadonlySet<string>;
  /** The errors of the failed PUTs. */
  readonly errors: readonly unknown[];
}

export interface ArchiveWriter {
  /** Writes one object per UTC hour present in `entries`; never throws for a failed PUT (see `failedMessageIds`). */
  write(entries: readonly ArchiveEntry[]): Promise<ArchiveWriteResult>;
}

export interface ArchiveWriterOptions {
  readonly client: S3Client;
  readonly bucket: string;
}

/** `archive/yyyy/MM/dd/HH/` of an epoch-ms time. */
export function archiveHourPrefix(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${telemetryBucket.prefixes.archive}${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(11, 13)}/`;
}

/** Deterministic object key of a group of entries: the same message ids give the same key. */
export function archiveKey(hourPrefix: string, messageIds: readonly string[]): string {
  const hash = createHash('sha256');
  for (const id of [...messageIds].sort()) hash.update(id).update('\n');
  return `${hourPrefix}${hash.digest('hex').slice(0, 32)}.jsonl`;
}

/** Creates the archive writer. */
export function createArchiveWriter({ client, bucket }: ArchiveWriterOptions): ArchiveWriter {
  return {
    async write(entries) {
      const groups = new Map<string, ArchiveEntry[]>();
      for (const e of entries) {
        const prefix = archiveHourPrefix(e.receivedAt);
        const group = groups.get(prefix);
        if (group) group.push(e);
        else groups.set(prefix, [e]);
      }
      const objects: string[] = [];
      const failedMessageIds = new Set<string>();
      const errors: unknown[] = [];
      await mapWithLimit([...groups], 4, async ([prefix, group]) => {
        const key = archiveKey(
          prefix,
          group.map((e) => e.messageId),
        );
        const body = group.map((e) => JSON.stringify(e)).join('\n') + '\n';
        try {
          await withBackoff(() =>
            client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' })),
          );
          objects.push(key);
        } catch (err) {
          errors.push(err);
          for (const e of group) failedMessageIds.add(e.messageId);
        }
      });
      return { objects, failedMessageIds, errors };
    },
  };
}
