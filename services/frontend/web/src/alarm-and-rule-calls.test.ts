/**
 * The web app's calls of the alarm, rule and notification routes: alarm paths come from core's
 * `alarmPaths` with their parameters filled in, and the formatters say in words what a definition
 * and a rule action do.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApi } from './api.ts';
import { describeCondition, describeDuration, describeRuleAction, describeScope } from './format.ts';

const session = async () => ({ accessToken: 't', idToken: 'id', refreshToken: 'r', email: 'a@b.c', expiresAt: 0 });

describe('alarm and rule calls', () => {
  afterEach(() => vi.unstubAllGlobals());

  it("fills in core's alarm paths under /api, encoding each parameter", async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ events: [], unread: 0 }), { status: 200 }));
    vi.stubGlobal('fetch', fetch);
    const api = createApi(session);
    await api.acknowledgeAlarm('hot', 'sensor/1', { occurrence: 2 });
    await api.alarmEvents({ definitionId: 'hot', limit: '5' });
    expect(fetch.mock.calls.map((c) => (c as unknown as [string])[0])).toEqual([
      '/api/alarms/hot/sensor%2F1/acknowledge',
      '/api/alarm-events?definitionId=hot&limit=5',
    ]);
  });

  it('reads a 204 of a rule deletion as done', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(null, { status: 204 })),
    );
    await expect(createApi(session).deleteRule('hot')).resolves.toBeNull();
  });
});

describe('formatters', () => {
  it('says what an alarm definition watches, when and for how long', () => {
    expect(describeScope({ kind: 'group', groupName: 'north' })).toBe('group north');
    expect(describeCondition({ kind: 'outside', metric: 'temperature', low: 0, high: 40 })).toBe('temperature outside 0…40');
    expect(describeCondition({ kind: 'noData', silentMinutes: 10 })).toBe('no data for 10 min');
    expect(describeDuration({ kind: 'readings', breaching: 3, of: 5 })).toBe('3 of 5 readings');
  });

  it("says where a rule action sends its output, with a webhook's destination state", () => {
    expect(describeRuleAction({ kind: 'webhook', url: 'https://h.example/x', destinationStatus: 'IN_PROGRESS' })).toBe(
      'Webhook https://h.example/x (destination in progress)',
    );
    expect(describeRuleAction({ kind: 'notify' })).toBe('Notify the alarm channels');
  });
});
