/**
 * Graceful restarts of the whole platform while 10 devices keep publishing and reconnect every
 * 100 ms: the first connection attempts after a start reach a broker that has only just opened its
 * ports. A broker that accepted messages before the rules engine was attached acknowledged readings
 * it then dropped (item 2 of issue 7); now it refuses connections until the engine listens, and every
 * acknowledged reading must be stored exactly once.
 */
import { expect, it } from 'vitest';
import { describeVerdict, faultSeed, settledVerdict, startCountingFleet } from './harness.ts';
import { expectEveryAcknowledgedReadingStoredOnce, platformStoppedAfterThisFile } from './scenario-file.ts';

const devices = 10;
const rate = 40;
const readingsPerDevice = 400;
const restarts = 2;

const startPlatform = platformStoppedAfterThisFile();

it(`stores every acknowledged reading once across ${restarts} restarts while devices reconnect every 100 ms`, async () => {
  const random = faultSeed('restart while reconnecting');
  const platform = await startPlatform();
  const registered = await platform.registerDevices('rr', devices);
  const baseTs = Date.now() - 10 * 60_000;
  const fleet = startCountingFleet({
    ...platform.mqtt(),
    devices: registered,
    ratePerSecond: rate,
    readingsPerDevice,
    baseTs,
    window: 20,
    reconnectPeriodMs: 100,
  });

  const stoppedAt: number[] = [];
  for (let r = 0; r < restarts; r++) {
    await new Promise((resolve) => setTimeout(resolve, random.between(1_000, 4_000)));
    stoppedAt.push(await platform.stopGracefully());
    await platform.restart();
  }
  await fleet.stop(30_000);

  const verdict = await settledVerdict(() => platform.admin, fleet.tallies, baseTs, readingsPerDevice, 90_000);
  console.log(describeVerdict('restart while reconnecting', verdict, fleet.tallies, stoppedAt));
  expect(fleet.tallies.every((t) => t.disconnects >= restarts)).toBe(true);
  expectEveryAcknowledgedReadingStoredOnce(verdict, { acknowledgedMoreThan: (devices * readingsPerDevice) / 2 });
}, 300_000);
