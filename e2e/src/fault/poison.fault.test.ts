/**
 * Poison messages mixed into valid traffic: while 5 devices publish valid readings, a sixth
 * publishes payloads nested too deep to serialise, numbers no table can store and bytes that are
 * not UTF-8. Each poison message must end as a dead letter with its reason (its PUBACK meant
 * "kept"), every acknowledged valid reading must be stored exactly once, and nothing may drift into
 * the SQS dead-letter queue.
 */
import type { DeadLetterOverview } from '@fleet/core';
import { expect, it } from 'vitest';
import { describeVerdict, faultSeed, settledVerdict, startCountingFleet } from './harness.ts';
import { expectEveryAcknowledgedReadingStoredOnce, platformStoppedAfterThisFile } from './scenario-file.ts';

const devices = 5;
const rate = 40;
const readingsPerDevice = 300;
const poisons = 12;

const startPlatform = platformStoppedAfterThisFile();

it('dead-letters each poison message with its reason and stores every valid reading once', async () => {
  const random = faultSeed('poison messages');
  const platform = await startPlatform();
  const [poisoner, ...valid] = await platform.registerDevices('pm', devices + 1);
  const baseTs = Date.now() - 10 * 60_000;
  const fleet = startCountingFleet({ ...platform.mqtt(), devices: valid, ratePerSecond: rate, readingsPerDevice, baseTs, window: 20 });
  const kinds = [
    (seq: number) => `{"ts":${'['.repeat(60_000)}${']'.repeat(60_000)},"seq":${seq},"t":1}`,
    (seq: number) => `{"ts":${baseTs + seq},"seq":${seq},"t":1e300}`,
    () => '\u00ff\u00fe not UTF-8 \ud800',
  ];
  // The poisoner publishes at random moments among the valid readings.
  const poison = startCountingFleet({
    ...platform.mqtt(),
    devices: [poisoner!],
    ratePerSecond: poisons / random.between(4, 7),
    readingsPerDevice: poisons,
    baseTs,
    payload: (_deviceId, seq) => random.pick(kinds)(seq),
  });
  await Promise.all([fleet.stop(30_000), poison.stop(30_000)]);

  const verdict = await settledVerdict(() => platform.admin, fleet.tallies, baseTs, readingsPerDevice, 90_000);
  console.log(describeVerdict('poison messages', verdict, fleet.tallies));
  expectEveryAcknowledgedReadingStoredOnce(verdict, { acknowledgedMoreThan: (devices * readingsPerDevice) / 2 });

  const overview = await platform.admin.api.call<DeadLetterOverview>('GET', '/api/dead-letters?limit=100');
  const reasons = overview.deadLetters.filter((d) => d.deviceId === poisoner!.device.deviceId).map((d) => d.reason);
  expect(reasons).toHaveLength(poison.acknowledgedTotal());
  for (const reason of reasons) expect(reason).toMatch(/must be epoch milliseconds|stored number is 0 or between|not UTF-8 JSON/);
  expect(overview.backlog?.deadLetterQueueMessages).toBe(0);
}, 300_000);
