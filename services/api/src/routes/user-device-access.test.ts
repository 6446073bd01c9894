import { browserPolicyDocument, browserPolicyNameFor, deviceAccessLimits } from '@fleet/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asCaller, type ApiCaller } from '../test-support/as-caller.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
let admin: ApiCaller;

beforeAll(async () => {
  t = await startTestApp();
  admin = asCaller(t.app, await t.bearer({ username: 'alice', groups: ['admin'] }));
  for (const group of ['north', 'south']) t.iotState.thingGroups.set(group, new Set());
});
beforeEach(() => {
  t.pool.put({ username: 'bob', groups: ['operator'] });
  t.forgetCalls();
});
afterAll(() => t.close());

const groupsOf = (username: string) => t.pool.users.get(username)?.groups;

describe('PUT /api/users/{username}/device-access', () => {
  it('grants thing groups as pool groups thing-group:<name>, creating them once, and lists the access', async () => {
    const res = await admin.put('/api/users/bob/device-access', { kind: 'groups', groups: ['north'] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ username: 'bob', deviceAccess: { kind: 'groups', groups: ['north'] } });
    expect(groupsOf('bob')).toEqual(['operator', 'thing-group:north']);
    expect(t.pool.createdGroups).toContain('thing-group:north');

    const listed = await admin.get('/api/users');
    const bob = listed.json().users.find((u: { username: string }) => u.username === 'bob');
    expect(bob).toMatchObject({ role: 'operator', deviceAccess: { kind: 'groups', groups: ['north'] } });

    // A second user granted the same group: the pool group exists already (GroupExistsException is fine).
    t.pool.put({ username: 'carol', groups: ['viewer'] });
    expect((await admin.put('/api/users/carol/device-access', { kind: 'groups', groups: ['north'] })).statusCode).toBe(200);
    expect(groupsOf('carol')).toEqual(['viewer', 'thing-group:north']);
  });

  it('changes the groups by the difference, adding before removing, and back to every device explicitly', async () => {
    t.pool.put({ username: 'bob', groups: ['operator', 'thing-group:north'] });
    const moved = await admin.put('/api/users/bob/device-access', { kind: 'groups', groups: ['south'] });
    expect(moved.json()).toEqual({ username: 'bob', deviceAccess: { kind: 'groups', groups: ['south'] } });
    // Never a moment without a grant (which would mean every device): the new group is added first.
    expect(t.cognito.names().filter((n) => n.startsWith('AdminAdd') || n.startsWith('AdminRemove'))).toEqual([
      'AdminAddUserToGroup',
      'AdminRemoveUserFromGroup',
    ]);
    expect(groupsOf('bob')).toEqual(['operator', 'thing-group:south']);

    const all = await admin.put('/api/users/bob/device-access', { kind: 'all' });
    expect(all.json()).toEqual({ username: 'bob', deviceAccess: { kind: 'all' } });
    expect(groupsOf('bob')).toEqual(['operator']);
  });

  it("rewrites the user's own browser IoT policy at once, so an open live connection follows the grant", async () => {
    const policyOf = (sub: string) => {
      const p = t.iotState.policies.get(browserPolicyNameFor(sub));
      return p?.versions.find((v) => v.versionId === p.defaultVersionId)?.document;
    };
    await admin.put('/api/users/bob/device-access', { kind: 'groups', groups: ['north'] });
    expect(policyOf('sub-bob')).toBe(
      JSON.stringify(browserPolicyDocument('us-east-1', '000000000000', { kind: 'groups', groups: ['north'] })),
    );
    await admin.put('/api/users/bob/device-access', { kind: 'groups', groups: ['south'] });
    expect(policyOf('sub-bob')).toContain('fleet/groups/south/');
    expect(policyOf('sub-bob')).not.toContain('fleet/groups/north/');
    // Made admin: every device, in the policy too.
    expect((await admin.put('/api/users/bob/role', { role: 'admin' })).statusCode).toBe(200);
    expect(policyOf('sub-bob')).toBe(JSON.stringify(browserPolicyDocument('us-east-1', '000000000000')));
  });

  it('shows the signed-in user their access as the pool has it now (GET /api/me)', async () => {
    const bob = await t.bearer({ username: 'bob', groups: ['operator'], poolGroups: ['operator', 'thing-group:south'] });
    const me = await asCaller(t.app, bob).get('/api/me');
    expect(me.json()).toMatchObject({ role: 'operator', deviceAccess: { kind: 'groups', groups: ['south'] } });
  });

  it('refuses an unknown user (404), an unknown thing group (404) and an admin (409), changing nothing', async () => {
    const unknownUser = await admin.put('/api/users/nobody/device-access', { kind: 'groups', groups: ['north'] });
    expect(unknownUser.statusCode).toBe(404);
    expect(unknownUser.json().code).toBe('UserNotFound');

    const unknownGroup = await admin.put('/api/users/bob/device-access', { kind: 'groups', groups: ['north', 'atlantis'] });
    expect(unknownGroup.statusCode).toBe(404);
    expect(unknownGroup.json()).toEqual({ code: 'GroupNotFound', message: 'Thing group "atlantis" does not exist' });

    const anAdmin = await admin.put('/api/users/alice/device-access', { kind: 'groups', groups: ['north'] });
    expect(anAdmin.statusCode).toBe(409);
    expect(anAdmin.json().code).toBe('DeviceAccessRefused');
    expect(anAdmin.json().message).toContain('admins always see every device');

    expect(groupsOf('bob')).toEqual(['operator']);
    expect(groupsOf('alice')).toEqual(['admin']);
    expect(t.cognito.names().filter((n) => n !== 'AdminListGroupsForUser')).toEqual([]);
  });

  it('refuses no groups, too many, and groups whose live-data IoT policy would be larger than AWS allows (400)', async () => {
    const none = await admin.put('/api/users/bob/device-access', { kind: 'groups', groups: [] });
    expect(none.statusCode).toBe(400);
    expect(none.json().code).toBe('ValidationError');

    const many = Array.from({ length: deviceAccessLimits.maxGroups + 1 }, (_, i) => `g${i}`);
    const tooMany = await admin.put('/api/users/bob/device-access', { kind: 'groups', groups: many });
    expect(tooMany.statusCode).toBe(400);

    const long = Array.from({ length: deviceAccessLimits.maxGroups }, (_, i) => `${i}`.padEnd(100, 'x'));
    const tooLarge = await admin.put('/api/users/bob/device-access', { kind: 'groups', groups: long });
    expect(tooLarge.statusCode).toBe(400);
    expect(tooLarge.json().message).toMatch(/IoT policy of \d+ characters; AWS IoT takes at most 2048/);
    expect(groupsOf('bob')).toEqual(['operator']);
  });

  it('is for admins only (403), and is written in the audit trail', async () => {
    const operator = asCaller(t.app, await t.bearer({ username: 'dave', groups: ['operator'] }));
    const refused = await operator.put('/api/users/bob/device-access', { kind: 'all' });
    expect(refused.statusCode).toBe(403);

    expect((await admin.put('/api/users/bob/device-access', { kind: 'groups', groups: ['north'] })).statusCode).toBe(200);
    await t.auditTrail.settled();
    const audit = await admin.get('/api/audit');
    expect(audit.json().entries).toContainEqual(
      expect.objectContaining({
        action: 'PUT /api/users/:username/device-access',
        outcome: 200,
        target: expect.objectContaining({ type: 'users', id: 'bob' }),
      }),
    );
  });
});
