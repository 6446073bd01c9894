import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsError } from '../test-support/fake-aws-client.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
/** The fake user pool: username → groups. */
const pool = new Map<string, string[]>([
  ['alice', ['admin']],
  ['bob', ['viewer']],
  ['carol', []],
]);

beforeAll(async () => {
  t = await startTestApp();
  t.cognito.on({
    ListUsers: (i) => {
      const names = [...pool.keys()];
      const start = i['PaginationToken'] ? Number(i['PaginationToken']) : 0;
      const page = names.slice(start, start + Number(i['Limit'] ?? 60));
      const next = start + page.length < names.length ? String(start + page.length) : undefined;
      return {
        Users: page.map((u) => ({
          Username: u,
          Enabled: true,
          UserStatus: 'CONFIRMED',
          UserCreateDate: new Date('2026-01-01T00:00:00Z'),
          Attributes: [
            { Name: 'sub', Value: `sub-${u}` },
            { Name: 'email', Value: `${u}@example.com` },
          ],
        })),
        ...(next ? { PaginationToken: next } : {}),
      };
    },
    AdminListGroupsForUser: (i) => {
      const groups = pool.get(String(i['Username']));
      if (!groups) throw awsError('UserNotFoundException', 'User does not exist.');
      return { Groups: groups.map((GroupName) => ({ GroupName })) };
    },
    AdminAddUserToGroup: (i) => void pool.get(String(i['Username']))?.push(String(i['GroupName'])),
    AdminRemoveUserFromGroup: (i) => {
      const groups = pool.get(String(i['Username'])) ?? [];
      groups.splice(groups.indexOf(String(i['GroupName'])), 1);
    },
  });
});
afterAll(() => t.close());

describe('user administration', () => {
  it('lists users with their groups and role, page by page', async () => {
    const auth = await t.bearer({ groups: ['admin'] });
    const first = await t.app.inject({ method: 'GET', url: '/api/users?limit=2', headers: { authorization: auth } });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      users: [
        {
          username: 'alice',
          sub: 'sub-alice',
          email: 'alice@example.com',
          enabled: true,
          status: 'CONFIRMED',
          createdAt: '2026-01-01T00:00:00.000Z',
          groups: ['admin'],
          role: 'admin',
        },
        {
          username: 'bob',
          sub: 'sub-bob',
          email: 'bob@example.com',
          enabled: true,
          status: 'CONFIRMED',
          createdAt: '2026-01-01T00:00:00.000Z',
          groups: ['viewer'],
          role: 'viewer',
        },
      ],
      nextCursor: '2',
    });
    const second = await t.app.inject({ method: 'GET', url: '/api/users?limit=2&cursor=2', headers: { authorization: auth } });
    expect(second.json().users.map((u: { username: string; role: string }) => [u.username, u.role])).toEqual([['carol', 'operator']]);
    expect(second.json()).not.toHaveProperty('nextCursor');
  });

  it('changes a role by adding the new group before removing the old one', async () => {
    t.cognito.calls.length = 0;
    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/users/bob/role',
      headers: { authorization: await t.bearer({ groups: ['admin'] }) },
      payload: { role: 'operator' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ username: 'bob', role: 'operator', groups: ['operator'] });
    expect(t.cognito.names()).toEqual(['AdminListGroupsForUser', 'AdminAddUserToGroup', 'AdminRemoveUserFromGroup']);
    expect(t.cognito.calls[1]?.input).toMatchObject({ Username: 'bob', GroupName: 'operator' });
    expect(t.cognito.calls[2]?.input).toMatchObject({ Username: 'bob', GroupName: 'viewer' });
    expect(pool.get('bob')).toEqual(['operator']);
  });

  it('answers 404 for an unknown user and 400 for an unknown role', async () => {
    const auth = await t.bearer({ groups: ['admin'] });
    const missing = await t.app.inject({
      method: 'PUT',
      url: '/api/users/zed/role',
      headers: { authorization: auth },
      payload: { role: 'viewer' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 'UserNotFound', message: 'User "zed" does not exist' });
    const badRole = await t.app.inject({
      method: 'PUT',
      url: '/api/users/bob/role',
      headers: { authorization: auth },
      payload: { role: 'root' },
    });
    expect(badRole.statusCode).toBe(400);
    expect(badRole.json().message).toContain('body/role');
  });

  it('answers 403 to operators and viewers', async () => {
    for (const groups of [['operator'], ['viewer'], []]) {
      const auth = await t.bearer({ groups });
      expect((await t.app.inject({ method: 'GET', url: '/api/users', headers: { authorization: auth } })).statusCode).toBe(403);
      const put = await t.app.inject({
        method: 'PUT',
        url: '/api/users/bob/role',
        headers: { authorization: auth },
        payload: { role: 'admin' },
      });
      expect(put.statusCode).toBe(403);
      expect(put.json()).toMatchObject({ code: 'Forbidden' });
    }
  });
});
