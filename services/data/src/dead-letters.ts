/**
 * Dead letters of the ingest path: a message the Data Service cannot accept (malformed body,
 * invalid reading) is written to `dead-letters/ingest/<yyyy>/<MM>/<dd>/<messageId>.json` with the
 * reason, then deleted from the queue, so that it is kept and explained instead of bouncing through
 * five receives into the SQS DLQ. The key is the message id: writing it again overwrites.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { telemetryBucket } from '@fleet/core';
import { withBackoff } from './retry.ts';

/** The stored dead letter. */
export interface DeadLetter {
  readonly messageId: string;
  readonly reason: string;
  /** The payload as received: base64 for telemetry messages, the queue message body otherwise. */
  readonly payload: string;
  readonly deviceId?: string;
  /** Epoch ms. */
  readonly receivedAt: number;
}

export interface DeadLetterStore {
  write(letter: DeadLetter): Promise<string>;
  /** Most recent first, looking back at most `days` UTC days from `now`. */
  listRecent(options: { readonly limit: number; readonly now?: number; readonly days?: number }): Promise<(DeadLetter & { key: string })[]>;
}

export interface DeadLetterStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
}

export const ingestDeadLetterPrefix = `${telemetryBucket.prefixes.deadLetters}ingest/`;

const dayPrefix = (ms: number) => {
  const iso = new Date(ms).toISOString();
  return `${ingestDeadLetterPrefix}${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/`;
};

/** Object key of a dead letter. Message ids are uuids or SQS ids; anything else is made key-safe. */
export function deadLetterKey(letter: Pick<DeadLetter, 'messageId' | 'receivedAt'>): string {
  return `${dayPrefix(letter.receivedAt)}${letter.messageId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}

/** Creates the dead-letter store over the bucket. */
export function createDeadLetterStore({ client, bucket }: DeadLetterStoreOptions): DeadLetterStore {
  return {
    async write(letter) {
      const key = deadLetterKey(letter);
      await withBackoff(() =>
        client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(letter), ContentType: 'application/json' })),
      );
      return key;
    },
    async listRecent({ limit, now = Date.now(), days = 7 }) {
      const found: { key: string; lastModified: number }[] = [];
      for (let d = 0; d < days && found.length < limit; d++) {
        let token: string | undefined;
        const day: { key: string; lastModified: number }[] = [];
        do {
          const page = await client.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: dayPrefix(now - d * 86_400_000), ContinuationToken: token }),
          );
          for (const o of page.Contents ?? []) if (o.Key) day.push({ key: o.Key, lastModified: o.LastModified?.getTime() ?? 0 });
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        found.push(...day.sort((a, b) => b.lastModified - a.lastModified));
      }
      const letters = await Promise.all(
        found.slice(0, limit).map(async ({ key }) => {
          const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          const text = (await out.Body?.transformToString('utf-8')) ?? '{}';
          return { ...(JSON.parse(text) as DeadLetter), key };
        }),
      );
      return letters;
    },
  };
}
