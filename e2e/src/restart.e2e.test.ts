/**
 * Local state survives a restart, including `kill -9` of `npm start`: users, devices, their
 * certificates and stored readings are all there afterwards, and nothing is left holding a port.
 */
import { describe, it } from 'vitest';
import { deployedEndpointsFile } from './deployed-stack.ts';
import { startPlatformProcess } from './platform-process.ts';
import { expectNewReadingsJoinKept, expectStateKept, lastStartedStoppedAfterAll, userWithStoredReadings } from './kept-state.ts';

describe.skipIf(deployedEndpointsFile)('restart of the local cloud', () => {
  const stoppedAfterAll = lastStartedStoppedAfterAll();

  it('keeps users, devices and readings across kill -9 of the launcher', async () => {
    const first = stoppedAfterAll(await startPlatformProcess());
    const kept = await userWithStoredReadings(first, 'survivor', 50);

    // SIGKILL: no graceful shutdown of anything; the stand-ins and services must die with it.
    first.child.kill('SIGKILL');
    await new Promise<void>((resolve) =>
      first.child.exitCode !== null || first.child.signalCode !== null ? resolve() : first.child.once('exit', () => resolve()),
    );

    const second = stoppedAfterAll(await startPlatformProcess({ dataDir: first.dataDir, ports: first.ports }));
    const again = await expectStateKept(first, second, kept);

    // The device's certificate still works, and new readings join the old ones.
    await expectNewReadingsJoinKept(second, again, kept);
  }, 180_000);
});
