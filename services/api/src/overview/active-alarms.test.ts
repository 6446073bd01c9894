import { overviewLimits, type AlarmSeverity, type AlarmStatus } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';
import { summarizeActiveAlarms } from './active-alarms.ts';
import { recentDeadLetters } from './recent-dead-letters.ts';

const alarm = (i: number, severity: AlarmSeverity, status: AlarmStatus) => ({
  definitionId: `def-${i % 3}`,
  deviceId: `dev-${i}`,
  occurrence: 1,
  name: `Alarm ${i}`,
  severity,
  status,
  reason: `temperature ${i} > 30`,
  activeAt: new Date(Date.UTC(2026, 11, 1, 0, 0, i)).toISOString(),
});

/** A Data Service whose alarm list answers `alarms` in pages of `size`, recording the queries asked. */
function pagedAlarms(alarms: ReturnType<typeof alarm>[], size = 100) {
  const queries: string[] = [];
  const get = (async (_schema: unknown, call: { path: string; query: string }) => {
    queries.push(`${call.path}?${call.query}`);
    const from = Number(new URLSearchParams(call.query).get('nextToken') ?? 0);
    const page = alarms.slice(from, from + size);
    return { alarms: page, ...(from + size < alarms.length ? { nextToken: String(from + size) } : {}) };
  }) as DataServiceClient['get'];
  return { get, queries };
}

describe('summarizeActiveAlarms', () => {
  it('counts the open alarms of every page by status and severity, and lists the newest first with a link to the device', async () => {
    const alarms = Array.from({ length: 250 }, (_, i) =>
      alarm(i, i % 10 === 0 ? 'critical' : 'warning', i % 5 === 0 ? 'ACKNOWLEDGED' : 'ACTIVE'),
    );
    const data = pagedAlarms(alarms);
    const summary = await summarizeActiveAlarms(data, 'token');
    expect(data.queries).toEqual([
      '/data/alarms?status=ACTIVE%2CACKNOWLEDGED&limit=100',
      '/data/alarms?status=ACTIVE%2CACKNOWLEDGED&limit=100&nextToken=100',
      '/data/alarms?status=ACTIVE%2CACKNOWLEDGED&limit=100&nextToken=200',
    ]);
    expect(summary).toMatchObject({
      available: true,
      total: 250,
      more: false,
      byStatus: { ACTIVE: 200, ACKNOWLEDGED: 50 },
      bySeverity: { critical: 25, major: 0, minor: 0, warning: 225, indeterminate: 0 },
      link: '/alarms',
    });
    expect(summary.newest.map((a) => a.deviceId)).toEqual(['dev-249', 'dev-248', 'dev-247', 'dev-246', 'dev-245']);
    expect(summary.newest[0]).toMatchObject({ link: '/devices/dev-249', status: 'ACTIVE', severity: 'warning' });
  });

  it('stops counting at the limit and says there are more', async () => {
    const alarms = Array.from({ length: overviewLimits.maxAlarmsCounted + 150 }, (_, i) => alarm(i, 'major', 'ACTIVE'));
    const data = pagedAlarms(alarms);
    const summary = await summarizeActiveAlarms(data, 'token');
    expect(summary.total).toBe(overviewLimits.maxAlarmsCounted);
    expect(summary.more).toBe(true);
    expect(data.queries).toHaveLength(overviewLimits.maxAlarmsCounted / 100);
  });

  it('counts no cleared alarm even if one is answered', async () => {
    const summary = await summarizeActiveAlarms(pagedAlarms([alarm(1, 'minor', 'CLEARED'), alarm(2, 'minor', 'ACTIVE')]), 'token');
    expect(summary).toMatchObject({ total: 1, byStatus: { ACTIVE: 1, ACKNOWLEDGED: 0 } });
  });
});

describe('recentDeadLetters', () => {
  it('answers the newest few without their payloads, each linking to the dead-letter screen', async () => {
    const calls: string[] = [];
    const get = (async (_schema: unknown, call: { path: string; query: string }) => {
      calls.push(`${call.path}?${call.query}`);
      return {
        deadLetters: [
          {
            key: 'dead-letters/ingest/b',
            messageId: 'm2',
            reason: 'seq must be an integer',
            payload: 'e30=',
            deviceId: 'dev-1',
            receivedAt: 2,
          },
          { key: 'dead-letters/ingest/a', messageId: 'm1', reason: 'not JSON', payload: 'eA==', receivedAt: 1 },
        ],
      };
    }) as DataServiceClient['get'];
    const answer = await recentDeadLetters({ get }, 'token');
    expect(calls).toEqual([`/data/dead-letters?limit=${overviewLimits.newest}`]);
    expect(answer).toEqual({
      available: true,
      link: '/dead-letters',
      newest: [
        { key: 'dead-letters/ingest/b', deviceId: 'dev-1', reason: 'seq must be an integer', receivedAt: 2, link: '/dead-letters' },
        { key: 'dead-letters/ingest/a', reason: 'not JSON', receivedAt: 1, link: '/dead-letters' },
      ],
    });
  });
});
