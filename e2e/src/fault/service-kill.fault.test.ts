/**
 * `kill -9` of each service task (Data Service, API Service, Frontend), in a random order at random
 * points, while 10 devices publish with QoS 1. The launcher replaces each task as ECS would; the
 * readings the Data Service had received but not stored come back from the queue after their
 * visibility timeout. Every acknowledged reading must be stored exactly once.
 */
import type { ServiceName } from '@fleet/core';
import { expect, it } from 'vitest';
import { describeVerdict, faultSeed, settledVerdict, startCountingFleet } from './harness.ts';
import { expectEveryAcknowledgedReadingStoredOnce, platformStoppedAfterThisFile } from './scenario-file.ts';

const devices = 10;
const rate = 40;
const readingsPerDevice = 500;

const startPlatform = platformStoppedAfterThisFile();

it('stores every acknowledged reading once across kill -9 of each service task', async () => {
  const random = faultSeed('service kill -9');
  const platform = await startPlatform();
  const registered = await platform.registerDevices('sk', devices);
  const baseTs = Date.now() - 10 * 60_000;
  const fleet = startCountingFleet({ ...platform.mqtt(), devices: registered, ratePerSecond: rate, readingsPerDevice, baseTs, window: 20 });

  const killedAt: number[] = [];
  for (const service of random.shuffle<ServiceName>(['data', 'api', 'frontend'])) {
    await new Promise((resolve) => setTimeout(resolve, random.between(1_000, 3_500)));
    const before = await platform.servicePid(service);
    killedAt.push(await platform.killService(service));
    // The launcher starts a replacement task.
    await expect.poll(() => platform.servicePid(service), { timeout: 30_000, interval: 200 }).not.toBe(before);
  }
  await fleet.stop(30_000);
  await platform.waitHealthy();

  // Messages the killed Data Service had received stay invisible for the queue's visibility timeout (60 s).
  const verdict = await settledVerdict(() => platform.admin, fleet.tallies, baseTs, readingsPerDevice, 120_000);
  console.log(describeVerdict('service kill -9', verdict, fleet.tallies, killedAt));
  expectEveryAcknowledgedReadingStoredOnce(verdict, { acknowledgedMoreThan: (devices * readingsPerDevice) / 2 });
}, 300_000);
