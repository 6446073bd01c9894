import type { DashboardInput } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCaller, type ApiCaller } from '../test-support/as-caller.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
let alice: ApiCaller; // viewer, owner
let bob: ApiCaller; // operator, another user
let admin: ApiCaller;

beforeAll(async () => {
  t = await startTestApp();
  alice = asCaller(t.app, await t.bearer({ username: 'alice', groups: [] }));
  bob = asCaller(t.app, await t.bearer({ username: 'bob', groups: ['operator'] }));
  admin = asCaller(t.app, await t.bearer({ username: 'root', groups: ['admin'] }));
});
afterAll(() => t.close());

const input = (name: string, over: Partial<DashboardInput> = {}): DashboardInput => ({
  name,
  shared: false,
  timeRange: { kind: 'relative', last: '24h' },
  refresh: '30s',
  widgets: [
    {
      id: 'w1',
      title: 'Temperatures',
      layout: { x: 0, y: 0, w: 8, h: 4 },
      config: {
        kind: 'timeseries',
        series: [
          { deviceId: 'dev-1', metric: 't' },
          { deviceId: 'dev-2', metric: 't' },
        ],
      },
    },
    { id: 'w2', title: 'Now', layout: { x: 8, y: 0, w: 4, h: 2 }, config: { kind: 'latest', source: { deviceId: 'dev-1', metric: 't' } } },
    { id: 'w3', title: 'Fleet', layout: { x: 8, y: 2, w: 4, h: 2 }, config: { kind: 'status' } },
  ],
  ...over,
});

describe('dashboards', () => {
  it('lets every role create its own dashboard, answered with its version and as editable', async () => {
    for (const [caller, name] of [
      [alice, 'viewer board'],
      [bob, 'operator board'],
      [admin, 'admin board'],
    ] as const) {
      const res = await caller.post('/api/dashboards', input(name));
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ name, version: 1, editable: true, shared: false, widgets: input(name).widgets });
    }
  });

  it('lists mine and the shared ones of others, never private ones of others', async () => {
    const shared = (await bob.post('/api/dashboards', input('bob shared', { shared: true }))).json<{ id: string }>();
    const listed = await alice.get('/api/dashboards');
    expect(listed.statusCode, listed.body).toBe(200);
    const names = listed.json<{ dashboards: { name: string; editable: boolean }[] }>().dashboards;
    expect(names.map((d) => d.name)).toEqual(['viewer board', 'bob shared']);
    expect(names.find((d) => d.name === 'bob shared')?.editable).toBe(false);
    expect((await alice.get(`/api/dashboards/${shared.id}`)).json()).toMatchObject({ name: 'bob shared', editable: false });
  });

  it("answers 404 for another user's private dashboard, 403 DashboardReadOnly for changing a shared one", async () => {
    const list = (await bob.get('/api/dashboards')).json<{ dashboards: { id: string; name: string }[] }>().dashboards;
    const privateOne = list.find((d) => d.name === 'operator board')!;
    const sharedOne = list.find((d) => d.name === 'bob shared')!;
    const hidden = await alice.get(`/api/dashboards/${privateOne.id}`);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()).toMatchObject({ code: 'DashboardNotFound' });
    const put = await alice.put(`/api/dashboards/${sharedOne.id}`, { ...input('mine now'), version: 1 });
    expect(put.statusCode).toBe(403);
    expect(put.json()).toEqual({ code: 'DashboardReadOnly', message: expect.stringContaining('bob') });
    expect((await alice.delete(`/api/dashboards/${sharedOne.id}`)).statusCode).toBe(403);
    expect((await bob.get(`/api/dashboards/${sharedOne.id}`)).json()).toMatchObject({ name: 'bob shared' });
  });

  it('lets an admin read, change and delete any dashboard', async () => {
    const created = (await bob.post('/api/dashboards', input('to be removed'))).json<{ id: string }>();
    expect((await admin.get(`/api/dashboards/${created.id}`)).json()).toMatchObject({ editable: true });
    const changed = await admin.put(`/api/dashboards/${created.id}`, { ...input('renamed by admin'), version: 1 });
    expect(changed.json()).toMatchObject({ name: 'renamed by admin', version: 2, ownerName: 'bob@example.com' });
    expect((await admin.delete(`/api/dashboards/${created.id}`)).statusCode).toBe(204);
    expect((await bob.get(`/api/dashboards/${created.id}`)).statusCode).toBe(404);
  });

  it('refuses a stale version with 409 DashboardVersionConflict: of two editors of version 1, one wins', async () => {
    const created = (await alice.post('/api/dashboards', input('contended'))).json<{ id: string }>();
    const [first, second] = await Promise.all([
      alice.put(`/api/dashboards/${created.id}`, { ...input('edit A'), version: 1 }),
      alice.put(`/api/dashboards/${created.id}`, { ...input('edit B'), version: 1 }),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 409]);
    const lost = first.statusCode === 409 ? first : second;
    expect(lost.json()).toEqual({ code: 'DashboardVersionConflict', message: expect.stringMatching(/version 2.*version 1/) });
    const now = (await alice.get(`/api/dashboards/${created.id}`)).json<{ name: string; version: number }>();
    expect(now.version).toBe(2);
    expect(now.name).toBe(first.statusCode === 200 ? 'edit A' : 'edit B');
  });

  it('refuses overlapping widgets, widgets past the grid and a gauge whose min is not below max, naming each', async () => {
    const res = await alice.post(
      '/api/dashboards',
      input('bad', {
        widgets: [
          { id: 'a', title: 'A', layout: { x: 0, y: 0, w: 6, h: 2 }, config: { kind: 'status' } },
          { id: 'b', title: 'B', layout: { x: 4, y: 1, w: 6, h: 2 }, config: { kind: 'status' } },
          {
            id: 'c',
            title: 'C',
            layout: { x: 10, y: 5, w: 4, h: 2 },
            config: { kind: 'gauge', source: { deviceId: 'd', metric: 't' }, min: 5, max: 5 },
          },
        ],
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('ValidationError');
    expect(res.json().message).toContain('widgets/1 ("b"): overlaps widget "a"');
    expect(res.json().message).toContain("x 10 + w 4 passes the grid's 12 columns");
    expect(res.json().message).toContain('gauge min (5) must be below max (5)');
  });

  it('refuses more widgets or series than the limits, and unknown fields', async () => {
    const many = Array.from({ length: 25 }, (_, i) => ({
      id: `w${i}`,
      title: 'S',
      layout: { x: 0, y: i, w: 1, h: 1 },
      config: { kind: 'status' },
    }));
    expect((await alice.post('/api/dashboards', input('many', { widgets: many as DashboardInput['widgets'] }))).statusCode).toBe(400);
    const series = Array.from({ length: 9 }, (_, i) => ({ deviceId: `d${i}`, metric: 't' }));
    const tooMany = await alice.post(
      '/api/dashboards',
      input('series', { widgets: [{ id: 'w', title: 'T', layout: { x: 0, y: 0, w: 4, h: 4 }, config: { kind: 'timeseries', series } }] }),
    );
    expect(tooMany.statusCode).toBe(400);
    expect((await alice.post('/api/dashboards', { ...input('extra'), colour: 'red' })).json()).toMatchObject({ code: 'ValidationError' });
  });

  it('refuses a request without a token', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/dashboards' })).statusCode).toBe(401);
  });
});
