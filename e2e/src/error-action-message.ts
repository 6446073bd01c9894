/**
 * A message the ingest rule could not queue, as its error action saves it in S3 (AWS IoT's error
 * action format: https://docs.aws.amazon.com/iot/latest/developerguide/rule-error-handling.html),
 * put there with the local cloud's root credentials: what the dead-letter replay re-queues.
 */
import { randomUUID } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { telemetryBucket, telemetryIngestRule, topics } from '@fleet/core';
import type { PlatformProcess } from './platform-process.ts';

/** `payload`: the device's original message, base64-encoded. */
export async function saveErrorActionMessage(platform: PlatformProcess, deviceId: string, payload: string): Promise<void> {
  const s3 = new S3Client({
    region: platform.endpoints.region,
    endpoint: platform.endpoints.awsEndpoint,
    credentials: await platform.credentials(),
    forcePathStyle: true,
  });
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: platform.endpoints.bucket,
        Key: `${telemetryBucket.prefixes.deadLetters}rules/${telemetryIngestRule.name}/2026/01/01/00/${randomUUID()}.json`,
        Body: JSON.stringify({
          ruleName: telemetryIngestRule.name,
          topic: topics.telemetry(deviceId),
          cloudwatchTraceId: randomUUID(),
          clientId: deviceId,
          base64OriginalPayload: payload,
          failures: [{ failedAction: 'SqsAction', failedResource: 'fleet-ingest', errorMessage: 'Failed to send message to SQS queue.' }],
        }),
      }),
    );
  } finally {
    s3.destroy();
  }
}
