import { answerChecker, DeviceBulkAnswerSchema, deviceListLimits } from '@fleet/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asCaller } from '../test-support/as-caller.ts';
import { awsError } from '../test-support/fake-aws-client.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
beforeEach(async () => {
  t = await startTestApp();
});
afterEach(() => t.close());

async function registerAll(ids: string[]) {
  const admin = await t.bearer({ groups: ['admin'] });
  for (const id of ids) expect((await asCaller(t.app, admin).post('/api/devices', { name: id, deviceId: id })).statusCode).toBe(201);
  t.forgetCalls();
}

async function bulk(body: object, groups = ['operator']) {
  return asCaller(t.app, await t.bearer({ groups })).post('/api/devices/bulk', body);
}

describe('POST /api/devices/bulk', () => {
  it('adds the named devices to a thing group, creating the group, with a result per device', async () => {
    await registerAll(['pump-1', 'pump-2']);
    const res = await bulk({ action: 'addToGroup', group: 'north', deviceIds: ['pump-1', 'pump-2', 'ghost-3'] });
    expect(res.statusCode).toBe(200);
    expect(answerChecker(DeviceBulkAnswerSchema)(res.json())).toMatchObject({ ok: true });
    expect(res.json()).toEqual({
      action: 'addToGroup',
      succeeded: 2,
      failed: 1,
      results: [
        { deviceId: 'pump-1', ok: true },
        { deviceId: 'pump-2', ok: true },
        { deviceId: 'ghost-3', ok: false, code: 'DeviceNotFound', message: 'Device "ghost-3" is not registered' },
      ],
    });
    expect([...t.iotState.thingGroups.get('north')!].sort()).toEqual(['pump-1', 'pump-2']);
    expect(t.iot.names().filter((n) => n.includes('ThingGroup'))).toEqual([
      'DescribeThingGroup',
      'CreateThingGroup',
      'AddThingToThingGroup',
      'AddThingToThingGroup',
    ]);
    // The list's group filter sees them at once (this task's own write).
    const listed = await asCaller(t.app, await t.bearer()).get('/api/devices?group=north');
    expect(
      listed
        .json()
        .items.map((d: { deviceId: string }) => d.deviceId)
        .sort(),
    ).toEqual(['pump-1', 'pump-2']);
  });

  it('names the device AWS IoT refused (a thing in 10 groups) and adds the others', async () => {
    await registerAll(['full-1', 'free-2']);
    for (let i = 0; i < 10; i++) t.iotState.thingGroups.set(`g${i}`, new Set(['full-1']));
    const res = await bulk({ action: 'addToGroup', group: 'south', deviceIds: ['full-1', 'free-2'] });
    expect(res.json().results).toEqual([
      { deviceId: 'full-1', ok: false, code: 'Conflict', message: 'A thing can be in at most 10 thing groups' },
      { deviceId: 'free-2', ok: true },
    ]);
  });

  it('adds every device an attribute filter matches to a group, the filter as the list takes it', async () => {
    const admin = await t.bearer({ groups: ['admin'] });
    for (const [id, site] of [
      ['lyon-1', 'lyon'],
      ['lyon-2', 'lyon'],
      ['paris-1', 'paris'],
    ] as const) {
      await asCaller(t.app, admin).post('/api/devices', { name: id, deviceId: id, attributes: { site } });
    }
    const res = await bulk({ action: 'addToGroup', group: 'lyon', match: { attribute: ['site=lyon'] } });
    expect(res.json()).toMatchObject({ action: 'addToGroup', succeeded: 2, failed: 0 });
    expect([...t.iotState.thingGroups.get('lyon')!].sort()).toEqual(['lyon-1', 'lyon-2']);
    const bad = await bulk({ action: 'addToGroup', group: 'lyon', match: { attribute: ['site=ly on'] } });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'ValidationError']);
    expect(bad.json().message).toMatch(/^body\/match\/attribute\/0 must match pattern/);
  });

  it('revokes every device a filter matches ("select all N matching"), each like DELETE /api/devices/:id', async () => {
    await registerAll(['old-1', 'old-2', 'keep-1']);
    const res = await bulk({ action: 'revoke', match: { q: 'old' } });
    expect(res.json()).toMatchObject({ action: 'revoke', succeeded: 2, failed: 0 });
    expect(
      res
        .json()
        .results.map((r: { deviceId: string }) => r.deviceId)
        .sort(),
    ).toEqual(['old-1', 'old-2']);
    expect([...t.iotState.things].sort()).toEqual(['keep-1']);
    const listed = await asCaller(t.app, await t.bearer()).get('/api/devices');
    expect(listed.json().items.map((d: { deviceId: string }) => d.deviceId)).toEqual(['keep-1']);
    expect(listed.json().total).toBe(1);
  });

  it('reports a device whose revocation failed and revokes the rest', async () => {
    await registerAll(['ok-1', 'stuck-2']);
    const stuckCert = (await asCaller(t.app, await t.bearer()).get('/api/devices/stuck-2')).json().certificateId;
    t.iot.on({
      UpdateCertificate: (i) => {
        if (i['certificateId'] === stuckCert) return Promise.reject(awsError('ThrottlingException'));
        t.iotState.certificates.get(String(i['certificateId']))!.status = String(i['newStatus']);
        return {};
      },
    });
    const res = await bulk({ action: 'revoke', deviceIds: ['ok-1', 'stuck-2'] });
    expect(res.json().results).toEqual([
      { deviceId: 'ok-1', ok: true },
      { deviceId: 'stuck-2', ok: false, code: 'ServiceUnavailable', message: 'AWS IoT throttled the call: try this device again' },
    ]);
    expect(t.iotState.things.has('stuck-2')).toBe(true);
  });

  it('sends one command (one AWS IoT job) to the devices found', async () => {
    await registerAll(['c-1', 'c-2']);
    const res = await bulk({ action: 'command', command: { command: 'reboot' }, deviceIds: ['c-1', 'c-2', 'gone'] });
    const { results } = res.json();
    expect(results[0]).toMatchObject({ deviceId: 'c-1', ok: true });
    expect(results[1].commandId).toBe(results[0].commandId);
    expect(results[2]).toMatchObject({ deviceId: 'gone', ok: false, code: 'DeviceNotFound' });
    const jobs = t.iot.calls.filter((c) => c.command === 'CreateJob');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.input['targets']).toEqual([
      'arn:aws:iot:us-east-1:000000000000:thing/c-1',
      'arn:aws:iot:us-east-1:000000000000:thing/c-2',
    ]);
    expect(JSON.parse(String(jobs[0]?.input['document']))).toMatchObject({ command: 'reboot', issuedBy: 'alice' });
  });

  it('answers 403 to a viewer for every action, before any side effect', async () => {
    await registerAll(['v-1']);
    for (const body of [
      { action: 'revoke', deviceIds: ['v-1'] },
      { action: 'addToGroup', group: 'x', deviceIds: ['v-1'] },
      { action: 'command', command: { command: 'ping' }, deviceIds: ['v-1'] },
    ]) {
      const res = await bulk(body, ['viewer']);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('Forbidden');
    }
    expect(t.iot.calls).toEqual([]);
  });

  it('answers 400 saying what is missing, out of place or beyond the bound', async () => {
    await registerAll(Array.from({ length: deviceListLimits.maxBulkDevices + 1 }, (_, i) => `many-${i}`));
    const cases: [object, string | RegExp][] = [
      [{ action: 'revoke' }, 'Give either body/deviceIds or body/match'],
      [{ action: 'revoke', deviceIds: ['a'], match: {} }, 'Give either body/deviceIds or body/match'],
      [{ action: 'addToGroup', deviceIds: ['a'] }, 'body/group is required for action "addToGroup"'],
      [{ action: 'command', deviceIds: ['a'] }, 'body/command is required for action "command"'],
      [{ action: 'revoke', group: 'g', deviceIds: ['a'] }, 'body/group goes with action "addToGroup", not "revoke"'],
      [{ action: 'revoke', match: { colour: 'red' } }, "body/match must NOT have additional property 'colour'"],
      [{ action: 'explode', deviceIds: ['a'] }, /^body\/action/],
      [{ action: 'revoke', match: { q: 'many' } }, `body/match matches 101 devices; a bulk action takes at most 100: narrow the filter`],
      [
        { action: 'revoke', deviceIds: Array.from({ length: 101 }, (_, i) => `many-${i}`) },
        'body/deviceIds must NOT have more than 100 items',
      ],
    ];
    for (const [body, message] of cases) {
      const res = await bulk(body, ['admin']);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe('ValidationError');
      expect(res.json().message).toMatch(message);
    }
    // Reads only: the group looked up, and the registry's adoption of claim-provisioned things.
    expect(t.iot.names().filter((n) => n !== 'DescribeThingGroup' && n !== 'ListThings')).toEqual([]);
  });
});
