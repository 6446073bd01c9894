/**
 * Local state survives a restart, including `kill -9` of `npm start`: users, devices, their
 * certificates and stored readings are all there afterwards, and nothing is left holding a port.
 */
import { afterAll, describe, it } from 'vitest';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { expectNewReadingsJoinKept, expectStateKept, userWithStoredReadings } from './kept-state.ts';

describe.skipIf(deployedEndpointsFile)('restart of the local cloud', () => {
  let platform: PlatformProcess | undefined;

  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  it('keeps users, devices and readings across kill -9 of the launcher', async () => {
    const first = await startPlatformProcess();
    platform = first;
    const kept = await userWithStoredReadings(first, 'survivor', 50);

    // SIGKILL: no graceful shutdown of anything; the stand-ins and services must die with it.
    first.child.kill('SIGKILL');
    await new Promise<void>((resolve) =>
      first.child.exitCode !== null || first.child.signalCode !== null ? resolve() : first.child.once('exit', () => resolve()),
    );

    const second = await startPlatformProcess({ dataDir: first.dataDir, ports: first.ports });
    platform = second;
    const again = await expectStateKept(first, second, kept);

    // The device's certificate still works, and new readings join the old ones.
    await expectNewReadingsJoinKept(second, again, kept);
  }, 180_000);
});
