/**
 * `kill -9` of the whole platform (the launcher; the stand-ins and services die with it) at random
 * points while 10 devices publish 40 readings per second with QoS 1, then a restart on the same
 * ports and data while the devices keep reconnecting every 100 ms. Every reading the broker
 * acknowledged must be stored exactly once.
 */
import { it } from 'vitest';
import { describeVerdict, faultSeed, settledVerdict, startCountingFleet } from './harness.ts';
import { expectEveryAcknowledgedReadingStoredOnce, platformStoppedAfterThisFile } from './scenario-file.ts';

const devices = 10;
const rate = 40;
const readingsPerDevice = 400;
const kills = 2;

const startPlatform = platformStoppedAfterThisFile();

it(`stores every acknowledged reading once across ${kills} kill -9 of the whole platform (${devices} devices × ${rate}/s)`, async () => {
  const random = faultSeed('platform kill -9');
  const platform = await startPlatform();
  const registered = await platform.registerDevices('pk', devices);
  const baseTs = Date.now() - 10 * 60_000;
  const fleet = startCountingFleet({ ...platform.mqtt(), devices: registered, ratePerSecond: rate, readingsPerDevice, baseTs, window: 20 });

  const killedAt: number[] = [];
  for (let k = 0; k < kills; k++) {
    // A random point while the devices publish (each run is 10 s of publishing plus the outages).
    await new Promise((resolve) => setTimeout(resolve, random.between(1_000, 4_000)));
    killedAt.push(await platform.killAll());
    await platform.restart();
  }
  await fleet.stop(30_000);

  const verdict = await settledVerdict(() => platform.admin, fleet.tallies, baseTs, readingsPerDevice, 90_000);
  console.log(describeVerdict('platform kill -9', verdict, fleet.tallies, killedAt));
  expectEveryAcknowledgedReadingStoredOnce(verdict, { acknowledgedMoreThan: (devices * readingsPerDevice) / 2 });
}, 300_000);
