/**
 * Access by group through every API route that touches devices: a user granted thing group "north"
 * reaches pump-n (in north) and never pump-s (in south), which answers exactly as a device that
 * does not exist; an unscoped operator and an admin still reach both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCaller, type ApiCaller } from '../test-support/as-caller.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
/** An operator granted only "north". */
let north: ApiCaller;
/** An operator without grants: every device. */
let operator: ApiCaller;
let admin: ApiCaller;

beforeAll(async () => {
  t = await startTestApp();
  for (const group of ['north', 'south']) t.iotState.thingGroups.set(group, new Set());
  admin = asCaller(t.app, await t.bearer({ username: 'alice', groups: ['admin'] }));
  north = asCaller(t.app, await t.bearer({ username: 'nora', groups: ['operator', 'thing-group:north'] }));
  operator = asCaller(t.app, await t.bearer({ username: 'otto', groups: ['operator'] }));
  expect((await admin.post('/api/devices', { name: 'Pump N', deviceId: 'pump-n', group: 'north' })).statusCode).toBe(201);
  expect((await admin.post('/api/devices', { name: 'Pump S', deviceId: 'pump-s', group: 'south' })).statusCode).toBe(201);
});
afterAll(() => t.close());

/** What a device that does not exist answers, for comparison with one outside the caller's access. */
async function notFoundLike(call: (id: string) => Promise<{ statusCode: number; json(): unknown }>, outside: string) {
  const [out, ghost] = await Promise.all([call(outside), call('ghost-1')]);
  expect(out.statusCode).toBe(404);
  expect(out.statusCode).toBe(ghost.statusCode);
  expect(JSON.stringify(out.json()).replace(outside, 'ID')).toBe(JSON.stringify(ghost.json()).replace('ghost-1', 'ID'));
  return out.json();
}

describe('access by group, in the API', () => {
  it('lists only the granted groups’ devices; an unscoped operator and an admin list every device', async () => {
    const ids = async (caller: ApiCaller, query = '') =>
      (await caller.get(`/api/devices${query}`)).json().items.map((d: { deviceId: string }) => d.deviceId);
    expect(await ids(north)).toEqual(['pump-n']);
    expect((await north.get('/api/devices')).json().total).toBe(1);
    expect(await ids(north, '?group=south')).toEqual([]);
    expect(await ids(north, '?q=pump')).toEqual(['pump-n']);
    expect((await ids(operator)).sort()).toEqual(['pump-n', 'pump-s']);
    expect((await ids(admin)).sort()).toEqual(['pump-n', 'pump-s']);
  });

  it('lists only the granted thing groups for pickers', async () => {
    expect((await north.get('/api/thing-groups')).json()).toEqual({ groups: ['north'] });
    expect((await operator.get('/api/thing-groups')).json()).toEqual({ groups: ['north', 'south'] });
  });

  it('answers a device outside as one that does not exist: get, delete, certificates, attributes, config, commands', async () => {
    t.forgetCalls();
    expect((await north.get('/api/devices/pump-n')).statusCode).toBe(200);
    expect(await notFoundLike((id) => north.get(`/api/devices/${id}`), 'pump-s')).toMatchObject({ code: 'DeviceNotFound' });
    await notFoundLike((id) => north.get(`/api/devices/${id}/certificates`), 'pump-s');
    await notFoundLike((id) => north.post(`/api/devices/${id}/certificates`, {}), 'pump-s');
    await notFoundLike((id) => north.get(`/api/devices/${id}/attributes`), 'pump-s');
    await notFoundLike((id) => north.put(`/api/devices/${id}/attributes`, { attributes: { site: 'x' } }), 'pump-s');
    await notFoundLike((id) => north.get(`/api/devices/${id}/config`), 'pump-s');
    await notFoundLike((id) => north.put(`/api/devices/${id}/config`, { desired: { rate: 5 } }), 'pump-s');
    await notFoundLike((id) => north.post(`/api/devices/${id}/commands`, { command: 'reboot' }), 'pump-s');
    await notFoundLike((id) => north.get(`/api/devices/${id}/commands`), 'pump-s');
    await notFoundLike((id) => north.delete(`/api/devices/${id}`), 'pump-s');
    // Nothing happened to pump-s: no job, no shadow change, no revocation.
    expect(t.iot.calls.some((c) => JSON.stringify(c.input).includes('pump-s') && c.command !== 'ListThingsInThingGroup')).toBe(false);
    expect(t.iotData.calls.some((c) => JSON.stringify(c.input).includes('pump-s'))).toBe(false);
    expect((await operator.get('/api/devices/pump-s')).statusCode).toBe(200);
    expect((await north.get('/api/devices/pump-n/certificates')).statusCode).toBe(200);
    expect((await north.put('/api/devices/pump-n/attributes', { attributes: { site: 'north-yard' } })).statusCode).toBe(200);
    expect((await north.post('/api/devices/pump-n/commands', { command: 'reboot' })).statusCode).toBe(202);
  });

  it('refuses telemetry of a device outside before the Data Service is asked', async () => {
    t.data?.requests.splice(0);
    for (const path of ['telemetry/latest', 'telemetry', 'telemetry/raw']) {
      const res = await north.get(`/api/devices/pump-s/${path}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('DeviceNotFound');
    }
    expect(t.data?.requests.filter((r) => r.url.includes('pump-s'))).toEqual([]);
  });

  it('refuses a command to a group not granted (403), and to a device outside (404)', async () => {
    const toGroup = await north.post('/api/commands', { command: 'reboot', group: 'south' });
    expect(toGroup.statusCode).toBe(403);
    expect(toGroup.json().code).toBe('OutsideDeviceAccess');
    expect(toGroup.json().message).toContain('"north"');
    expect((await north.post('/api/commands', { command: 'reboot', deviceIds: ['pump-n', 'pump-s'] })).statusCode).toBe(404);
    expect((await north.post('/api/commands', { command: 'reboot', group: 'north' })).statusCode).toBe(202);
    expect((await operator.post('/api/commands', { command: 'reboot', group: 'south' })).statusCode).toBe(202);
  });

  it('acts in bulk on the caller’s devices only: a named device outside is not registered, a filter sees none', async () => {
    const named = await north.post('/api/devices/bulk', {
      action: 'command',
      command: { command: 'reboot' },
      deviceIds: ['pump-n', 'pump-s'],
    });
    expect(named.statusCode).toBe(200);
    expect(named.json()).toMatchObject({
      succeeded: 1,
      failed: 1,
      results: [
        { deviceId: 'pump-n', ok: true },
        { deviceId: 'pump-s', ok: false, code: 'DeviceNotFound', message: 'Device "pump-s" is not registered' },
      ],
    });
    const matched = await north.post('/api/devices/bulk', { action: 'command', command: { command: 'reboot' }, match: { q: 'pump' } });
    expect(matched.json().results.map((r: { deviceId: string }) => r.deviceId)).toEqual(['pump-n']);
    const intoSouth = await north.post('/api/devices/bulk', { action: 'addToGroup', group: 'south', deviceIds: ['pump-n'] });
    expect(intoSouth.statusCode).toBe(403);
    expect(t.iotState.thingGroups.get('south')).toEqual(new Set(['pump-s']));
  });

  it('counts only the caller’s devices in the status counts and the overview, without fleet-wide parts', async () => {
    // Heard from: pump-n online, pump-s offline; a device never heard from is not counted (as the Data Service counts).
    const connectedAt = new Date().toISOString();
    t.data?.setState({ deviceId: 'pump-n', online: true, connectedAt, lastSeenAt: connectedAt });
    t.data?.setState({ deviceId: 'pump-s', online: false, lastSeenAt: connectedAt });
    const counts = await north.get('/api/device-status-counts');
    expect(counts.statusCode).toBe(200);
    expect(counts.json()).toMatchObject({ total: 1, online: 1, silent: 0, offline: 0 });
    const overview = (await north.get('/api/overview')).json();
    expect(overview.devices).toMatchObject({ available: true, total: 1, online: 1 });
    expect(overview.throughput).toMatchObject({ available: false });
    expect(overview).not.toHaveProperty('deadLetters');
    expect((await admin.get('/api/overview')).json().devices).toMatchObject({ available: true, total: 2 });
  });

  it('registers a scoped operator’s device into one of their groups only, so they keep sight of it', async () => {
    const without = await north.post('/api/devices', { name: 'Fan', deviceId: 'fan-1' });
    expect(without.statusCode).toBe(400);
    expect(without.json().message).toContain('body/group is required');
    const elsewhere = await north.post('/api/devices', { name: 'Fan', deviceId: 'fan-1', group: 'south' });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json().code).toBe('OutsideDeviceAccess');
    const inNorth = await north.post('/api/devices', { name: 'Fan', deviceId: 'fan-1', group: 'north' });
    expect(inNorth.statusCode).toBe(201);
    expect((await north.get('/api/devices/fan-1')).statusCode).toBe(200);
    expect(t.iotState.thingGroups.get('north')).toContain('fan-1');
    const unknownGroup = await operator.post('/api/devices', { name: 'Fan', deviceId: 'fan-2', group: 'atlantis' });
    expect(unknownGroup.statusCode).toBe(404);
    expect(unknownGroup.json().code).toBe('GroupNotFound');
  });

  it('refuses alarms and data jobs beyond the caller’s devices and groups before the Data Service is asked', async () => {
    t.data?.requests.splice(0);
    const alarm = { name: 'Too hot', condition: { kind: 'above', metric: 't', threshold: 80 }, severity: 'major' };
    const onDevice = await north.post('/api/alarm-definitions', { ...alarm, scope: { kind: 'device', deviceId: 'pump-s' } });
    expect([onDevice.statusCode, onDevice.json().code]).toEqual([404, 'DeviceNotFound']);
    for (const scope of [{ kind: 'group', groupName: 'south' }, { kind: 'fleet' }]) {
      const res = await north.post('/api/alarm-definitions', { ...alarm, scope });
      expect([res.statusCode, res.json().code]).toEqual([403, 'OutsideDeviceAccess']);
    }
    const ack = await north.post('/api/alarms/def-1/pump-s/acknowledge', { occurrence: 1 });
    expect([ack.statusCode, ack.json().code]).toEqual([404, 'AlarmNotFound']);

    const exportOf = (target: object) => north.post('/api/data-jobs', { kind: 'export', from: 0, to: 1000, format: 'csv', ...target });
    expect((await exportOf({ deviceIds: ['pump-s'] })).json().code).toBe('DeviceNotFound');
    expect((await exportOf({ groupName: 'south' })).json().code).toBe('OutsideDeviceAccess');
    const importing = await north.post('/api/data-jobs', { kind: 'import', deviceId: 'pump-n', format: 'csv', bytes: 10 });
    expect([importing.statusCode, importing.json().code]).toEqual([403, 'OutsideDeviceAccess']);
    expect(t.data?.requests.filter((r) => !r.url.startsWith('GET /data/device-states'))).toEqual([]);
  });

  it('refuses a scoped caller the fleet-wide operations with 403 OutsideDeviceAccess', async () => {
    for (const res of [
      await north.get('/api/rules'),
      await north.get('/api/provisioning'),
      await north.post('/api/device-imports', { csv: 'name,group\nheater,south\n' }),
      await north.post('/api/device-imports', { csv: 'name\nheater\n' }),
    ]) {
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('OutsideDeviceAccess');
    }
    expect((await north.get('/api/dead-letters')).json().code).toBe('OutsideDeviceAccess');
    expect((await operator.get('/api/rules')).statusCode).toBe(200);
    const started = await north.post('/api/device-imports', { csv: 'name,group\nheater,north\n' });
    expect(started.statusCode).toBe(202);
    // The import runs on after its 202: wait for its end, and see it is the caller's own.
    let job = started.json().job;
    while (job.status === 'running') {
      await new Promise((r) => setTimeout(r, 20));
      job = (await north.get(`/api/device-imports/${job.importId}`)).json().job;
    }
    expect(job.counts).toMatchObject({ created: 1, failed: 0 });
    expect((await operator.get(`/api/device-imports/${job.importId}`)).statusCode).toBe(200);
    const otherScoped = asCaller(t.app, await t.bearer({ username: 'sam', groups: ['operator', 'thing-group:south'] }));
    expect((await otherScoped.get(`/api/device-imports/${job.importId}`)).json().code).toBe('ImportNotFound');
  });
});
