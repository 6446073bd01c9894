/**
 * A factory batch provisioned by claim, end to end (issue 12): the simulator's own command line
 * (`npm run simulate -- --provision-by-claim --csr --devices 1000`) against the platform as a real
 * process. Each of the 1,000 devices makes its own key and CSR, provisions itself through
 * `$aws/certificates/create-from-csr/json` and `$aws/provisioning-templates/fleet-claim/provision/json`,
 * connects with its new certificate and publishes; every acknowledged reading is then read back from
 * the API, once per device, and must be there exactly once (seq 1..n, no duplicate).
 *
 * How long it takes is measured, not asserted: about 11 s of provisioning and 2 min in all here.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { claimThingName, mapWithLimit } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { allStoredReadings, createUser, type FleetUser } from './fleet-user.ts';
import { repoRoot, startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { simulatorArgs } from './simulator-command.ts';

const devices = 1000;
const readingsPerDevice = 2;

describe.skipIf(deployedEndpointsFile)('a batch of 1,000 devices provisioned by claim', () => {
  let platform: PlatformProcess;
  let operator: FleetUser;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    operator = await createUser(platform);
  }, 120_000);
  afterAll(() => platform?.stop(), 60_000);

  it('provisions every device by claim with its own key; each publishes, and every acknowledged reading is stored once', async () => {
    const from = Date.now() - 60_000;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      simulatorArgs(platform, [
        ...['--provision-by-claim', '--csr', '--devices', String(devices), '--prefix', 'batch'],
        ...['--count', String(readingsPerDevice), '--rate', '1', '--no-control'],
      ]),
      { cwd: repoRoot, timeout: 420_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const total = devices * readingsPerDevice;
    expect(stdout).toMatch(/^provisioned by claim in [\d.]+ s$/m);
    expect(stdout).toMatch(new RegExp(`^${devices} devices ready \\(0 reused\\)$`, 'm'));
    // Every reading published was acknowledged by IoT Core, and the simulator found each stored through the API.
    expect(stdout).toMatch(
      new RegExp(`^published ${total}, carried over 0, acknowledged ${total}, buffered 0 \\(max \\d+\\), dropped 0, stored ${total}$`, 'm'),
    );

    // The simulator counts what it finds; a duplicate would not show there. A pause lets one arrive, then each device once.
    await new Promise((r) => setTimeout(r, 2_000));
    const deviceIds = Array.from({ length: devices }, (_, i) => claimThingName(`batch-${String(i + 1).padStart(4, '0')}`));
    const seqs = await mapWithLimit(deviceIds, 8, async (deviceId) => {
      const stored = await allStoredReadings(operator, deviceId, from, Date.now() + 60_000);
      return stored.map((r) => r.seq).sort((a, b) => a - b);
    });
    const wrong = deviceIds.filter((_, i) => JSON.stringify(seqs[i]) !== JSON.stringify([1, 2]));
    expect(wrong, `devices whose stored seqs are not exactly [1, 2]: ${wrong.slice(0, 5).join(', ')}`).toEqual([]);
  }, 600_000);
});
