/** The live status view: one entry per child process, updated by the supervisor and the health checks, one log line per change. */
import pino from 'pino';
import { expect, it } from 'vitest';
import { createPlatformStatus } from './platform-status.ts';

it('merges process state, target health and readiness per component, and logs health and readiness changes', () => {
  const lines: { msg: string; level: number }[] = [];
  const status = createPlatformStatus({
    log: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as { msg: string; level: number }) }),
    now: () => 1000,
  });
  const child = { pid: 42, port: 5000, restarts: 0, lastExit: undefined, since: 1000 };
  status.childChanged('stand-in', { name: 'dynalite', state: 'up', ...child });
  status.childChanged('stand-in', { name: 'dynalite', state: 'down', ...child, lastExit: { code: null, signal: 'SIGKILL', at: 2000 } });
  status.childChanged('service', { name: 'api', state: 'up', ...child, pid: 43, port: undefined });
  status.healthChanged('api', 'healthy');
  status.readinessChanged('api', { status: 'unready', failed: ['dynamodb:fleet-devices'] });

  expect(status.snapshot()).toEqual({
    startedAt: 1000,
    components: {
      dynalite: {
        kind: 'stand-in',
        state: 'down',
        pid: 42,
        port: 5000,
        restarts: 0,
        lastExit: { code: null, signal: 'SIGKILL', at: 2000 },
        since: 1000,
      },
      api: {
        kind: 'service',
        state: 'up',
        pid: 43,
        port: undefined,
        restarts: 0,
        lastExit: undefined,
        since: 1000,
        health: 'healthy',
        readiness: { status: 'unready', failed: ['dynamodb:fleet-devices'] },
      },
    },
  });
  expect(lines.map((l) => l.msg)).toEqual(['api is healthy', 'api is not ready: dynamodb:fleet-devices']);
  expect(lines[1]?.level).toBe(40);
});
