import { describe, expect, it } from 'vitest';
import { buildAuditEntry, isAudited, readableAction, targetOf, type RequestFacts } from './audit-entry.ts';

const facts: RequestFacts = {
  timeMs: Date.parse('2026-12-02T05:43:11.123Z'),
  method: 'PUT',
  url: '/api/users/bob/role',
  routePattern: '/api/users/:username/role',
  summary: "Set a user's role (membership of exactly one role group)",
  params: { username: 'bob' },
  explicitTarget: undefined,
  statusCode: 200,
  requestId: 'req-1',
  sourceIp: '203.0.113.9',
  caller: { sub: 'sub-alice', username: 'alice', groups: ['admin'], role: 'admin', accessToken: 'token' },
};

describe('audit entries', () => {
  it('audits the mutating methods under /api only', () => {
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].map((m) => isAudited(m, '/api/devices'))).toEqual([true, true, true, true]);
    expect(isAudited('GET', '/api/devices')).toBe(false);
    expect(isAudited('HEAD', '/api/devices')).toBe(false);
    expect(isAudited('POST', '/data/jobs')).toBe(false);
    expect(isAudited('POST', '/apinot')).toBe(false);
  });

  it('records who, what, on what, the outcome, the request id and the address', () => {
    expect(buildAuditEntry(facts)).toEqual({
      time: '2026-12-02T05:43:11.123Z',
      actor: { sub: 'sub-alice', username: 'alice', email: null, role: 'admin' },
      action: 'PUT /api/users/:username/role',
      actionName: "Set a user's role",
      target: { type: 'users', id: 'bob' },
      outcome: 200,
      requestId: 'req-1',
      sourceIp: '203.0.113.9',
    });
  });

  it('records a refusal without a valid token with no actor', () => {
    const entry = buildAuditEntry({ ...facts, caller: undefined, statusCode: 401 });
    expect(entry.actor).toEqual({ sub: null, username: null, email: null, role: null });
    expect(entry.outcome).toBe(401);
  });

  it('names a call no route matched by its method and path', () => {
    const entry = buildAuditEntry({ ...facts, method: 'POST', url: '/api/nothing?x=1', routePattern: undefined, summary: undefined });
    expect(entry).toMatchObject({ action: 'POST (no route)', actionName: 'Unknown route', target: { type: 'path', id: '/api/nothing' } });
  });

  it('prefers the target a route set (a generated device id)', () => {
    const entry = buildAuditEntry({
      ...facts,
      routePattern: '/api/devices',
      params: {},
      explicitTarget: { type: 'devices', id: 'pump-1a2b' },
    });
    expect(entry.target).toEqual({ type: 'devices', id: 'pump-1a2b' });
  });

  it('takes the target from the collection before the first parameter and joins the parameters', () => {
    expect(targetOf('/api/devices/:id/commands', { id: 'sensor-1' })).toEqual({ type: 'devices', id: 'sensor-1' });
    expect(targetOf('/api/alarms/:definitionId/:deviceId/acknowledge', { definitionId: 'hot', deviceId: 's-1' })).toEqual({
      type: 'alarms',
      id: 'hot/s-1',
    });
    expect(targetOf('/api/users', {})).toBeNull();
    expect(targetOf('/api/devices/:id', { id: 'x'.repeat(1000) })?.id).toHaveLength(256);
  });

  it("reads the summary's first clause as the action's name", () => {
    expect(readableAction('Revoke a device: deletes its configuration', 'DELETE /api/devices/:id')).toBe('Revoke a device');
    expect(readableAction(undefined, 'DELETE /api/devices/:id')).toBe('DELETE /api/devices/:id');
    expect(readableAction('x'.repeat(200), 'f')).toHaveLength(80);
  });
});
