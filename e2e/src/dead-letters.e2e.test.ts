/**
 * Dead-letter replay end to end: messages wait in both dead-letter places — the ingest rule's error
 * action objects in S3 and the ingest SQS dead-letter queue (put there with the local cloud's root
 * credentials, as messages that failed would be) — the dead-letter screen shows how many, an admin
 * replays them from the browser, and each reading is stored exactly once.
 */
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ingestQueue, type DeadLetterOverview } from '@fleet/core';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin, waitForStored, type FleetUser } from './fleet-user.ts';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { saveErrorActionMessage } from './error-action-message.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';

const chromiumPath = '/usr/bin/chromium';

describe.skipIf(!existsSync(chromiumPath) || deployedEndpointsFile)('dead-letter replay', () => {
  let platform: PlatformProcess;
  let admin: FleetUser;
  let browser: Browser;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    admin = await createAdmin(platform);
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  }, 60_000);

  it('shows both kinds waiting, replays them for an admin, and stores each reading once', async () => {
    const { device } = await admin.api.registerDevice('replayed', 'replayed');
    const deviceId = device.deviceId;
    const base = Date.now() - 600_000;
    const payload = (seq: number) => Buffer.from(JSON.stringify({ ts: base + seq, seq, temperature: seq })).toString('base64');
    const clientConfig = {
      region: platform.endpoints.region,
      endpoint: platform.endpoints.awsEndpoint,
      credentials: await platform.credentials(),
    };

    // Three messages the Data Service gave up on (one of them twice) in the ingest DLQ…
    const sqs = new SQSClient(clientConfig);
    const dlqUrl = platform.endpoints.queueUrls[ingestQueue.deadLetter.id];
    for (const seq of [1, 2, 3, 3]) {
      const body = {
        kind: 'telemetry',
        payload: payload(seq),
        deviceId,
        clientId: deviceId,
        receivedAt: Date.now(),
        messageId: randomUUID(),
      };
      await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: JSON.stringify(body) }));
    }
    sqs.destroy();
    // …and one the ingest rule could not queue, saved by its error action in the AWS format.
    await saveErrorActionMessage(platform, deviceId, payload(4));

    const listed = await admin.api.call<DeadLetterOverview>('GET', '/api/dead-letters');
    expect(listed.backlog).toMatchObject({ errorActionMessages: 1, errorActionMessagesMore: false, deadLetterQueueMessages: 4 });

    const page = await browser.newPage();
    await page.goto(platform.endpoints.gatewayUrl);
    await page.fill('input[name=email]', admin.email);
    await page.fill('input[name=password]', admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Dead letters' }).click();
    await expect.poll(() => page.getByTestId('dlq-depth').textContent(), { timeout: 10_000 }).toBe('4');
    expect(await page.getByTestId('error-action-count').textContent()).toBe('1');
    await page.getByTestId('replay').click();
    await expect
      .poll(() => page.getByTestId('replay-result').textContent(), { timeout: 15_000 })
      .toBe('Re-queued 1 saved message(s); 4 of 4 moved from the dead-letter queue (completed).');

    const stored = await waitForStored(admin, deviceId, base, base + 10, 4);
    expect(stored.map((r) => r.seq).sort()).toEqual([1, 2, 3, 4]);
    await expect.poll(() => page.getByTestId('dlq-depth').textContent(), { timeout: 15_000 }).toBe('0');
    expect(await page.getByTestId('error-action-count').textContent()).toBe('0');
  }, 180_000);
});
