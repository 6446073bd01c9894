/**
 * `kill -9` of the whole platform (the launcher; the stand-ins and services die with it) at random
 * points while 10 devices publish 40 readings per second with QoS 1, then a restart on the same
 * ports and data while the devices keep reconnecting every 100 ms. Every reading the broker
 * acknowledged must be stored exactly once.
 */
import { afterAll, expect, it } from 'vitest';
import { describeVerdict, faultSeed, settledVerdict, startCountingFleet, startFaultPlatform, type FaultPlatform } from './harness.ts';

const devices = 10;
const rate = 40;
const readingsPerDevice = 400;
const kills = 2;

let platform: FaultPlatform | undefined;
afterAll(async () => {
  await platform?.stop();
}, 60_000);

it(`stores every acknowledged reading once across ${kills} kill -9 of the whole platform (${devices} devices × ${rate}/s)`, async () => {
  const random = faultSeed('platform kill -9');
  platform = await startFaultPlatform();
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

  const verdict = await settledVerdict(() => platform!.admin, fleet.tallies, baseTs, readingsPerDevice, 90_000);
  console.log(describeVerdict('platform kill -9', verdict, fleet.tallies, killedAt));
  expect(verdict.acknowledged).toBeGreaterThan((devices * readingsPerDevice) / 2);
  expect(verdict.lost).toBe(0);
  expect(verdict.duplicated).toBe(0);
}, 300_000);
