import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { platformStateTable } from '@fleet/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asCaller } from '../test-support/as-caller.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(() => t.close());

const me = async (username: string, groups: string[] = []) =>
  t.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: await t.bearer({ username, sub: `sub-${username}`, groups }) } });

describe('the first user of a fresh stack', () => {
  it('becomes admin at their first GET /api/me; the next user stays a viewer', async () => {
    const first = await me('ada');
    expect(first.json()).toMatchObject({ username: 'ada', role: 'admin', tokenRole: 'viewer', groups: ['admin'], firstAdmin: true });
    expect(t.pool.users.get('ada')?.groups).toEqual(['admin']);
    const claim = await t.dynamo.doc.send(new GetCommand({ TableName: platformStateTable.id, Key: { name: 'first-admin' } }));
    expect(claim.Item).toMatchObject({ sub: 'sub-ada', username: 'ada' });

    const second = await me('bob');
    expect(second.json()).toMatchObject({
      username: 'bob',
      role: 'viewer',
      groups: [],
      permissions: ['readDevices', 'readAlarms', 'keepDashboards'],
    });
    expect(second.json()).not.toHaveProperty('firstAdmin');
    expect(t.pool.users.get('bob')?.groups).toEqual([]);
  });

  it('is exactly one user when many sign in at the same moment', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `racer-${i}`);
    const answers = await Promise.all(names.map((name) => me(name)));
    const admins = answers.filter((a) => a.json().role === 'admin');
    expect(admins).toHaveLength(1);
    expect(names.filter((n) => t.pool.users.get(n)?.groups.includes('admin'))).toHaveLength(1);
  });

  it('is admin in every answer when the first user asks twice at once (a reload during the first answer)', async () => {
    const answers = await Promise.all([me('ada'), me('ada'), me('ada')]);
    expect(answers.map((a) => a.json().role)).toEqual(['admin', 'admin', 'admin']);
    expect(t.pool.users.get('ada')?.groups).toEqual(['admin']);
    // And once the place is settled, a later question of the holder still answers admin.
    expect((await me('ada')).json()).toMatchObject({ role: 'admin' });
    expect((await me('bob')).json()).toMatchObject({ role: 'viewer' });
  });

  it('is nobody on a stack that already has an admin, or for a user an admin already gave a role', async () => {
    t.pool.put({ username: 'existing-admin', groups: ['admin'] });
    expect((await me('newcomer')).json()).toMatchObject({ role: 'viewer' });
    const t2 = await startTestApp();
    try {
      const auth = await t2.bearer({ username: 'op', groups: ['operator'] });
      const res = await asCaller(t2.app, auth).get('/api/me');
      expect(res.json()).toMatchObject({ role: 'operator' });
      expect(t2.cognito.names()).not.toContain('AdminAddUserToGroup');
    } finally {
      await t2.close();
    }
  });

  it('finishes a claim whose group change was lost, and no one else can take it', async () => {
    t.cognito.on({
      AdminAddUserToGroup: () => Promise.reject(Object.assign(new Error('throttled'), { name: 'TooManyRequestsException' })),
    });
    const lost = await me('ada');
    // The claim is written; the group change failed: the answer says viewer, nothing breaks.
    expect(lost.statusCode).toBe(200);
    expect(lost.json()).toMatchObject({ role: 'viewer' });
    t.cognito.on({
      AdminAddUserToGroup: (i) => {
        t.pool.users.get(String(i['Username']))?.groups.push(String(i['GroupName']));
        return {};
      },
    });
    expect((await me('mallory')).json()).toMatchObject({ role: 'viewer' });
    expect((await me('ada')).json()).toMatchObject({ role: 'admin', firstAdmin: true });
  });

  it('claims nothing when the pool cannot say which groups the caller is in, and answers with the token', async () => {
    t.cognito.on({
      AdminListGroupsForUser: () => Promise.reject(Object.assign(new Error('throttled'), { name: 'TooManyRequestsException' })),
    });
    const res = await me('ada');
    expect(res.json()).toMatchObject({ role: 'viewer', tokenRole: 'viewer', groups: [] });
    expect(t.cognito.names()).not.toContain('AdminAddUserToGroup');
  });
});
