import { answerChecker, AuditPageSchema, RevokedDevicePageSchema, type AuditEntry } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditWriteFailuresMetric } from '../audit/audit-trail.ts';
import { asCaller } from '../test-support/as-caller.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  t.pool.put({ username: 'bob', groups: ['viewer'] });
});
afterAll(() => t.close());

const checkPage = answerChecker(AuditPageSchema);

/** The audit trail as the admin reads it, after every write started so far has ended. */
async function trail(query = ''): Promise<AuditEntry[]> {
  await t.auditTrail.settled();
  const res = await asCaller(t.app, await t.bearer({ username: 'root', groups: ['admin'] })).get(`/api/audit${query}`);
  expect(res.statusCode).toBe(200);
  const page = checkPage(res.json());
  if (!page.ok) throw new Error(page.problems.join('; '));
  return page.value.entries;
}

describe('the audit hook', () => {
  it('records a successful call with who, what, on what, the outcome, the request id and the address', async () => {
    const admin = await t.bearer({ username: 'alice', groups: ['admin'] });
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/users/bob/role',
      headers: { authorization: admin, 'x-forwarded-for': '198.51.100.7' },
      payload: { role: 'operator' },
    });
    expect(res.statusCode).toBe(200);
    const [entry] = await trail('?target=bob');
    expect(entry).toMatchObject({
      actor: { sub: 'sub-alice', username: 'alice', email: 'alice@example.com', role: 'admin' },
      action: 'PUT /api/users/:username/role',
      actionName: "Set a user's role",
      target: { type: 'users', id: 'bob', label: 'bob@example.com' },
      outcome: 200,
      sourceIp: '198.51.100.7',
    });
    expect(entry?.requestId).toMatch(/\S/);
    expect(Date.now() - Date.parse(entry?.time ?? '')).toBeLessThan(60_000);
  });

  it('records refusals: a role without the permission (403, with who), no token (401), a bad body (400), no route (404)', async () => {
    const viewer = await t.bearer({ username: 'vera', groups: ['viewer'] });
    expect((await asCaller(t.app, viewer).delete('/api/devices/kept-1')).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/devices', payload: { name: 'x' } })).statusCode).toBe(401);
    const operator = await t.bearer({ username: 'otto', groups: ['operator'] });
    expect((await asCaller(t.app, operator).post('/api/devices', { name: '' })).statusCode).toBe(400);
    expect((await asCaller(t.app, operator).post('/api/no-such-route', {})).statusCode).toBe(404);

    const entries = await trail();
    const outcome = (action: string) => entries.find((e) => e.action === action);
    expect(outcome('DELETE /api/devices/:id')).toMatchObject({
      outcome: 403,
      actor: { username: 'vera', role: 'viewer' },
      target: { id: 'kept-1' },
    });
    expect(entries.filter((e) => e.action === 'POST /api/devices').map((e) => [e.outcome, e.actor.username])).toEqual([
      [400, 'otto'],
      [401, null],
    ]);
    expect(outcome('POST (no route)')).toMatchObject({ outcome: 404, target: { type: 'path', id: '/api/no-such-route' } });
  });

  it('does not record reads', async () => {
    const before = (await trail()).length;
    await asCaller(t.app, await t.bearer({ groups: ['admin'] })).get('/api/users');
    expect((await trail()).length).toBe(before);
  });

  it('keeps a revoked device in the revoked list with who revoked it, newest first', async () => {
    const operator = await t.bearer({ username: 'otto', groups: ['operator'] });
    for (const deviceId of ['old-1', 'old-2']) {
      expect((await asCaller(t.app, operator).post('/api/devices', { name: `Pump ${deviceId}`, deviceId })).statusCode).toBe(201);
      expect((await asCaller(t.app, operator).delete(`/api/devices/${deviceId}`)).statusCode).toBe(204);
    }
    const res = await asCaller(t.app, operator).get('/api/devices/revoked?limit=1');
    expect(res.statusCode).toBe(200);
    const first = answerChecker(RevokedDevicePageSchema)(res.json());
    if (!first.ok) throw new Error(first.problems.join('; '));
    expect(first.value.devices).toEqual([
      expect.objectContaining({
        deviceId: 'old-2',
        name: 'Pump old-2',
        revokedBy: { sub: 'sub-otto', username: 'otto', email: 'otto@example.com', role: 'operator' },
      }),
    ]);
    const second = await asCaller(t.app, operator).get(`/api/devices/revoked?limit=1&cursor=${first.value.nextCursor ?? ''}`);
    expect(second.json().devices.map((d: { deviceId: string }) => d.deviceId)).toEqual(['old-1']);
    // The registration's generated or given id is the target of its entry too.
    expect((await trail('?action=register&target=old-1')).map((e) => [e.actionName, e.outcome])).toEqual([['Register a device', 201]]);
  });
});

describe('reading the audit trail', () => {
  it('is for admins only: operators and viewers are refused', async () => {
    for (const groups of [['operator'], ['viewer']]) {
      const res = await asCaller(t.app, await t.bearer({ groups })).get('/api/audit');
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ code: 'Forbidden', message: `Role "${groups[0]}" may not read the audit trail` });
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/audit' })).statusCode).toBe(401);
  });

  it('filters by user (email too), action and time, and refuses a range that ends before it starts', async () => {
    expect((await trail('?user=alice@example')).every((e) => e.actor.username === 'alice')).toBe(true);
    expect((await trail('?user=alice@example')).length).toBeGreaterThan(0);
    expect((await trail('?action=revoke')).every((e) => e.actionName === 'Revoke a device')).toBe(true);
    expect(await trail(`?to=${new Date(Date.now() - 3_600_000).toISOString()}`)).toEqual([]);
    const auth = await t.bearer({ groups: ['admin'] });
    const bad = await asCaller(t.app, auth).get('/api/audit?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('ValidationError');
    expect((await asCaller(t.app, auth).get('/api/audit?cursor=abc')).json().code).toBe('ValidationError');
  });
});

describe('a failing audit store', () => {
  it("answers the user's call as usual, logs and counts the failed write", async () => {
    const failing = await startTestApp({ auditStore: () => ({ put: () => Promise.reject(new Error('DynamoDB is down')) }) });
    try {
      const res = await asCaller(failing.app, await failing.bearer({ groups: ['operator'] })).post('/api/devices', {
        name: 'Still registered',
        deviceId: 'still-1',
      });
      expect(res.statusCode).toBe(201);
      await failing.auditTrail.settled();
      expect(failing.counters.get(auditWriteFailuresMetric)).toBe(1);
    } finally {
      await failing.close();
    }
  });
});
