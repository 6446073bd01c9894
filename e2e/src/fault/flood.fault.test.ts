/**
 * A flood: 100 publishers with no flow control (each publishes on its own schedule whatever the
 * broker answers) offer about ten times what the platform can store. The broker must slow them
 * down (MQTT flow control) or close the connections it throttles, and never crash; then, with the
 * backlog still in flight, the whole platform is killed (`kill -9`) and restarted. Every reading
 * the broker acknowledged must be stored exactly once: a PUBACK means the reading is durable, not
 * that it waits in some process's memory.
 */
import { expect, it } from 'vitest';
import { describeVerdict, faultSeed, settledVerdict, startCountingFleet } from './harness.ts';
import { expectEveryAcknowledgedReadingStoredOnce, platformStoppedAfterThisFile } from './scenario-file.ts';

const publishers = 100;
const rate = 90;
const readingsPerDevice = 100;

const startPlatform = platformStoppedAfterThisFile();

it(`survives ${publishers} publishers without flow control, and a kill -9 in the backlog loses no acknowledged reading`, async () => {
  const random = faultSeed('flood');
  const platform = await startPlatform();
  const registered = await platform.registerDevices('flood', publishers);
  const launcherPid = platform.current.child.pid;
  const baseTs = Date.now() - 10 * 60_000;
  const started = Date.now();
  const fleet = startCountingFleet({
    ...platform.mqtt(),
    // Publishers connect in a random order, as a fleet coming online does.
    devices: random.shuffle(registered),
    ratePerSecond: rate,
    readingsPerDevice,
    baseTs,
  });

  // Mid-flood the broker is the same process and still answers.
  await new Promise((resolve) => setTimeout(resolve, random.between(1_500, 4_000)));
  expect(platform.current.child.exitCode).toBeNull();
  expect(platform.current.child.pid).toBe(launcherPid);
  expect(platform.current.output()).not.toMatch(/Maximum call stack size exceeded/);
  await platform.waitHealthy(10_000);
  const acknowledgedBeforeKill = fleet.acknowledgedTotal();
  const killedAt = await platform.killAll();
  await platform.restart();
  await fleet.stop(120_000);

  const verdict = await settledVerdict(() => platform.admin, fleet.tallies, baseTs, readingsPerDevice, 120_000);
  const disconnects = fleet.tallies.reduce((sum, t) => sum + t.disconnects, 0);
  const rejected = fleet.tallies.reduce((sum, t) => sum + t.rejected, 0);
  console.log(
    `${describeVerdict('flood', verdict, fleet.tallies, [killedAt])}\n` +
      `  ${acknowledgedBeforeKill} acknowledged when killed ${killedAt - started} ms into the flood; ${disconnects} disconnects, ` +
      `${rejected} publishes given up by mqtt.js (${fleet.tallies.find((t) => t.firstRejection)?.firstRejection ?? 'none'})`,
  );
  expectEveryAcknowledgedReadingStoredOnce(verdict, { acknowledgedMoreThan: 0 });
}, 400_000);
