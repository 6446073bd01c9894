import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCaller } from '../test-support/as-caller.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  // The fake user pool: alice (the admin who calls), bob, and carol who signed up by herself.
  t.pool.put({ username: 'alice', groups: ['admin'] });
  t.pool.put({ username: 'bob', groups: ['viewer'] });
  t.pool.put({ username: 'carol', groups: [] });
});
afterAll(() => t.close());

describe('user administration', () => {
  it('lists users with their groups and role, page by page', async () => {
    const auth = await t.bearer({ groups: ['admin'] });
    const first = await asCaller(t.app, auth).get('/api/users?limit=2');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      users: [
        {
          username: 'alice',
          sub: 'sub-alice',
          email: 'alice@example.com',
          enabled: true,
          status: 'CONFIRMED',
          createdAt: '2026-01-01T00:00:01.000Z',
          groups: ['admin'],
          role: 'admin',
          deviceAccess: { kind: 'all' },
        },
        {
          username: 'bob',
          sub: 'sub-bob',
          email: 'bob@example.com',
          enabled: true,
          status: 'CONFIRMED',
          createdAt: '2026-01-01T00:00:02.000Z',
          groups: ['viewer'],
          role: 'viewer',
          deviceAccess: { kind: 'all' },
        },
      ],
      nextCursor: '2',
    });
    const second = await asCaller(t.app, auth).get('/api/users?limit=2&cursor=2');
    expect(second.json().users.map((u: { username: string; role: string }) => [u.username, u.role])).toEqual([['carol', 'viewer']]);
    expect(second.json()).not.toHaveProperty('nextCursor');
  });

  it('changes a role by adding the new group before removing the old one', async () => {
    const auth = await t.bearer({ groups: ['admin'] });
    t.cognito.calls.length = 0;
    const res = await asCaller(t.app, auth).put('/api/users/bob/role', { role: 'operator' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ username: 'bob', role: 'operator', groups: ['operator'] });
    expect(t.cognito.names()).toEqual(['AdminListGroupsForUser', 'AdminAddUserToGroup', 'AdminRemoveUserFromGroup']);
    expect(t.cognito.calls[1]?.input).toMatchObject({ Username: 'bob', GroupName: 'operator' });
    expect(t.cognito.calls[2]?.input).toMatchObject({ Username: 'bob', GroupName: 'viewer' });
    expect(t.pool.users.get('bob')?.groups).toEqual(['operator']);
  });

  it('answers 404 for an unknown user and 400 for an unknown role', async () => {
    const auth = await t.bearer({ groups: ['admin'] });
    const missing = await asCaller(t.app, auth).put('/api/users/zed/role', { role: 'viewer' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 'UserNotFound', message: 'User "zed" does not exist' });
    const badRole = await asCaller(t.app, auth).put('/api/users/bob/role', { role: 'root' });
    expect(badRole.statusCode).toBe(400);
    expect(badRole.json().message).toContain('body/role');
  });

  it('answers 403 to operators and viewers', async () => {
    for (const groups of [['operator'], ['viewer'], []]) {
      const auth = await t.bearer({ groups });
      expect((await asCaller(t.app, auth).get('/api/users')).statusCode).toBe(403);
      const put = await asCaller(t.app, auth).put('/api/users/bob/role', { role: 'admin' });
      expect(put.statusCode).toBe(403);
      expect(put.json()).toMatchObject({ code: 'Forbidden' });
    }
  });

  it("refuses to change the caller's own role, so the last admin cannot lock everyone out", async () => {
    const res = await asCaller(t.app, await t.bearer({ username: 'alice', groups: ['admin'] })).put('/api/users/alice/role', {
      role: 'viewer',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ code: 'RoleChangeRefused', message: 'Admins cannot change their own role; ask another admin' });
    expect(t.pool.users.get('alice')?.groups).toEqual(['admin']);
  });

  it('refuses a role that is not a string: no coercion of ["admin"] or 1', async () => {
    const auth = await t.bearer({ groups: ['admin'] });
    for (const role of [['admin'], 1, null, { role: 'admin' }]) {
      const res = await asCaller(t.app, auth).put('/api/users/carol/role', { role });
      expect(res.statusCode, JSON.stringify(role)).toBe(400);
      expect(res.json().code).toBe('ValidationError');
    }
    expect(t.pool.users.get('carol')?.groups).toEqual([]);
  });
});

describe('invitations', () => {
  it('creates the user with a verified email, mailed a temporary password, in the chosen role group', async () => {
    t.cognito.calls.length = 0;
    const res = await asCaller(t.app, await t.bearer({ groups: ['admin'] })).post('/api/users', {
      email: 'dora@example.com',
      role: 'operator',
    });
    expect(res.statusCode).toBe(201);
    const { user } = res.json();
    expect(user).toMatchObject({ email: 'dora@example.com', status: 'FORCE_CHANGE_PASSWORD', groups: ['operator'], role: 'operator' });
    expect(t.cognito.calls.find((c) => c.command === 'AdminCreateUser')?.input).toEqual({
      UserPoolId: 'us-east-1_TestPool1',
      Username: 'dora@example.com',
      UserAttributes: [
        { Name: 'email', Value: 'dora@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ],
      DesiredDeliveryMediums: ['EMAIL'],
    });
    expect(t.pool.users.get(user.username)?.groups).toEqual(['operator']);
  });

  it('answers 409 for an email already in the pool and 400 for a bad email, role or extra field', async () => {
    const auth = await t.bearer({ groups: ['admin'] });
    const invite = (payload: object) => asCaller(t.app, auth).post('/api/users', payload);
    const again = await invite({ email: 'bob@example.com', role: 'viewer' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('UserExists');
    for (const payload of [
      { email: 'not-an-email', role: 'viewer' },
      { email: `${'a'.repeat(250)}@example.com`, role: 'viewer' },
      { email: 'x@example.com', role: 'root' },
      { email: 'x@example.com', role: 'viewer', admin: true },
      { email: 42, role: 'viewer' },
    ]) {
      const res = await invite(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().code).toBe('ValidationError');
    }
  });

  it('is for admins only', async () => {
    for (const groups of [['operator'], ['viewer'], []]) {
      const res = await asCaller(t.app, await t.bearer({ username: 'someone', groups })).post('/api/users', {
        email: 'eve@example.com',
        role: 'admin',
      });
      expect(res.statusCode).toBe(403);
    }
    expect([...t.pool.users.values()].some((u) => u.email === 'eve@example.com')).toBe(false);
  });
});
