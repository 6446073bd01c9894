import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browserPolicyDocument, browserPolicyNameFor } from '@fleet/core';
import { awsError } from '../test-support/fake-aws-client.ts';
import { asCaller } from '../test-support/as-caller.ts';
import { startTestApp, testConfig, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());
beforeEach(() => t.forgetCalls());

describe('GET /api/me', () => {
  it('answers the user, their groups and role in the pool now, the role of the token, what it allows, and the email', async () => {
    const auth = await t.bearer({ groups: ['viewer', 'operator'], username: 'alice', sub: 'sub-alice' });
    const res = await asCaller(t.app, auth).get('/api/me');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      username: 'alice',
      sub: 'sub-alice',
      email: 'alice@example.com',
      role: 'operator',
      groups: ['viewer', 'operator'],
      tokenRole: 'operator',
      permissions: [
        'readDevices',
        'manageDevices',
        'readDeadLetters',
        'readAlarms',
        'manageAlarms',
        'readRules',
        // The data's life (issue 13): operators see volumes and retention, export and import.
        'readDataUsage',
        'exportData',
        'importData',
        // Metric display settings (issue 14): operators set units and decimals.
        'manageMetricSettings',
        // Dashboards (issue 14): every role keeps its own.
        'keepDashboards',
        // The device list (issue 14): operators add devices to thing groups.
        'manageDeviceGroups',
      ],
      deviceAccess: { kind: 'all' },
    });
    expect(t.cognito.calls.find((c) => c.command === 'GetUser')).toEqual({
      command: 'GetUser',
      input: { AccessToken: auth.slice('Bearer '.length) },
    });
  });

  it('answers the role of the pool when an admin changed it after the token was issued', async () => {
    const auth = await t.bearer({ username: 'olga', groups: ['viewer'], poolGroups: ['operator'] });
    const res = await asCaller(t.app, auth).get('/api/me');
    expect(res.json()).toMatchObject({ role: 'operator', tokenRole: 'viewer', groups: ['operator'] });
  });

  it('answers email null when the user pool cannot be asked', async () => {
    t.cognito.on({ GetUser: () => Promise.reject(awsError('TooManyRequestsException')) });
    const res = await asCaller(t.app, await t.bearer({ groups: ['viewer'] })).get('/api/me');
    expect(res.json()).toMatchObject({ email: null, role: 'viewer', groups: ['viewer'] });
  });
});

describe('POST /api/me/live-access', () => {
  it("exchanges the ID token for an identity id and attaches the user's own browser policy to that identity", async () => {
    const idToken = await t.tokens.idToken({ sub: 'sub-alice' });
    const res = await asCaller(t.app, await t.bearer({ sub: 'sub-alice', groups: ['viewer'] })).post('/api/me/live-access', { idToken });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ identityId: 'us-east-1:identity-of-alice', access: { kind: 'all' } });
    expect(t.cognitoIdentity.calls).toEqual([
      {
        command: 'GetId',
        input: {
          IdentityPoolId: testConfig.identityPoolId,
          Logins: { [`cognito-idp.us-east-1.amazonaws.com/${testConfig.userPoolId}`]: idToken },
        },
      },
    ]);
    expect(t.iot.calls).toEqual([
      { command: 'GetPolicy', input: { policyName: browserPolicyNameFor('sub-alice') } },
      {
        command: 'CreatePolicy',
        input: {
          policyName: browserPolicyNameFor('sub-alice'),
          policyDocument: JSON.stringify(browserPolicyDocument('us-east-1', '000000000000')),
        },
      },
      { command: 'AttachPolicy', input: { policyName: browserPolicyNameFor('sub-alice'), target: 'us-east-1:identity-of-alice' } },
      // The shared policy of earlier releases would add every device to a scoped user's access.
      { command: 'DetachPolicy', input: { policyName: 'fleet-browser-live', target: 'us-east-1:identity-of-alice' } },
    ]);
  });

  it("shapes the policy by the user's groups in the pool now, not the token's", async () => {
    const idToken = await t.tokens.idToken({ sub: 'sub-gina' });
    const auth = await t.bearer({ sub: 'sub-gina', username: 'gina', groups: ['viewer'], poolGroups: ['viewer', 'thing-group:line-1'] });
    const res = await asCaller(t.app, auth).post('/api/me/live-access', { idToken });
    expect(res.json()).toMatchObject({ access: { kind: 'groups', groups: ['line-1'] } });
    const created = t.iot.calls.find((c) => c.command === 'CreatePolicy');
    expect(JSON.parse(String(created?.input['policyDocument']))).toEqual(
      browserPolicyDocument('us-east-1', '000000000000', { kind: 'groups', groups: ['line-1'] }),
    );
  });

  it('refuses an ID token of another user, an invalid one, or an access token in its place', async () => {
    const auth = await t.bearer({ sub: 'sub-alice' });
    const cases = [
      await t.tokens.idToken({ sub: 'sub-mallory' }),
      await t.tokens.idToken({ sub: 'sub-alice', expiresIn: -5 }),
      await t.tokens.accessToken({ sub: 'sub-alice' }),
    ];
    for (const idToken of cases) {
      const res = await asCaller(t.app, auth).post('/api/me/live-access', { idToken });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('InvalidIdToken');
    }
    expect(t.cognitoIdentity.calls).toEqual([]);
    expect(t.iot.calls).toEqual([]);
  });
});
