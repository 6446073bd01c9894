/**
 * Replay of the telemetry rule's dead letters. When the ingest rule's SQS action fails, AWS IoT
 * runs the error action, which writes one object per failed message under
 * `dead-letters/rules/fleet_telemetry_ingest/<yyyy/MM/dd/HH>/<uuid>.json` in the documented shape
 * `{ ruleName, topic, clientId, base64OriginalPayload, failures, ... }`
 * (https://docs.aws.amazon.com/iot/latest/developerguide/rule-error-handling.html#rule-error-message-format).
 * Replaying rebuilds the TelemetryIngestMessage the rule would have sent, puts it on the ingest
 * queue, and deletes the object once the queue accepted it. The message id is the object's uuid, so
 * a replay interrupted between send and delete sends the same message again, which the consumer
 * stores once.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { TelemetryIngestMessage } from '@fleet/core';
import { deviceIdOfTelemetryTopic, telemetryBucket, telemetryIngestRule } from '@fleet/core';
import type { Logger } from 'pino';
import { inSqsBatches } from './sqs-batches.ts';

export const ruleDeadLetterPrefix = `${telemetryBucket.prefixes.deadLetters}rules/${telemetryIngestRule.name}/`;

export interface ReplayResult {
  readonly replayed: number;
  /** Objects that are not replayable error-action messages (left in place). */
  readonly skipped: number;
  /** Whether more objects are waiting after this call. */
  readonly remaining: boolean;
}

export interface DeadLetterReplayer {
  replay(options: { readonly limit: number }): Promise<ReplayResult>;
  /** Error-action objects waiting for replay, counted up to 1,000 (`more` when there are others). */
  waiting(): Promise<{ readonly count: number; readonly more: boolean }>;
}

/** Sends bodies to the ingest queue; returns the indexes that failed. */
export interface QueueSender {
  send(bodies: readonly string[]): Promise<{ readonly failed: readonly number[] }>;
}

/** A QueueSender over SQS SendMessageBatch (at most 10 entries per call). */
export function createSqsQueueSender({ client, queueUrl }: { client: SQSClient; queueUrl: string }): QueueSender {
  return {
    async send(bodies) {
      const entries = bodies.map((body, index) => ({ body, index }));
      const failed = await inSqsBatches(entries, (batch) =>
        client.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((e, j) => ({ Id: String(j), MessageBody: e.body })),
          }),
        ),
      );
      return { failed: failed.map((e) => e.index) };
    },
  };
}

/** Rebuilds the ingest message from an error-action object; undefined when it is not one. */
export function ingestMessageFromErrorAction(text: string, key: string, lastModified: number): TelemetryIngestMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  const topic = m['topic'];
  const payload = m['base64OriginalPayload'];
  if (typeof topic !== 'string' || typeof payload !== 'string') return undefined;
  const deviceId = deviceIdOfTelemetryTopic(topic);
  if (!deviceId) return undefined;
  const name = key.slice(key.lastIndexOf('/') + 1).replace(/\.json$/, '');
  return {
    kind: 'telemetry',
    payload,
    deviceId,
    clientId: typeof m['clientId'] === 'string' ? m['clientId'] : deviceId,
    // The error action runs right after the broker received the message: the object's time is the
    // closest record of the receive time the payload does not carry.
    receivedAt: lastModified,
    messageId: name,
  };
}

export interface ReplayerOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly sender: QueueSender;
  readonly logger: Logger;
}

/** Creates the replayer of the telemetry rule's dead letters. */
export function createDeadLetterReplayer({ s3, bucket, sender, logger }: ReplayerOptions): DeadLetterReplayer {
  return {
    async waiting() {
      const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: ruleDeadLetterPrefix, MaxKeys: 1000 }));
      return { count: list.KeyCount ?? list.Contents?.length ?? 0, more: Boolean(list.IsTruncated) };
    },
    async replay({ limit }) {
      const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: ruleDeadLetterPrefix, MaxKeys: limit }));
      const objects = (list.Contents ?? []).flatMap((o) =>
        o.Key ? [{ key: o.Key, lastModified: o.LastModified?.getTime() ?? Date.now() }] : [],
      );
      const ready: { key: string; body: string }[] = [];
      let skipped = 0;
      for (const o of objects) {
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.key }));
        const message = ingestMessageFromErrorAction((await got.Body?.transformToString('utf-8')) ?? '', o.key, o.lastModified);
        if (message) ready.push({ key: o.key, body: JSON.stringify(message) });
        else {
          skipped++;
          logger.warn({ key: o.key }, 'dead letter is not a replayable error-action message; left in place');
        }
      }
      const { failed } = await sender.send(ready.map((r) => r.body));
      const failedSet = new Set(failed);
      let replayed = 0;
      for (const [index, r] of ready.entries()) {
        if (failedSet.has(index)) continue;
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: r.key }));
        replayed++;
      }
      if (failed.length > 0) logger.warn({ failed: failed.length }, 'some dead letters could not be queued; they stay for the next replay');
      return { replayed, skipped, remaining: Boolean(list.IsTruncated) || failed.length > 0 };
    },
  };
}
