/**
 * Access by group in the Data Service's reads: a caller granted thing group `a` reads `a`'s device
 * and gets another group's device answered exactly as a device the service knows nothing about;
 * fleet-wide reads refuse them; unscoped callers and admins are unchanged.
 */
import type { DeviceState } from '@fleet/core';
import type { InjectOptions } from 'fastify';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import type { GroupMembership } from '../group-membership.ts';
import type { StoredReading, TelemetryStore } from '../telemetry-store.ts';
import { emptyStores } from '../testing/empty-stores.ts';
import { createTestCallers, type TestCallers } from '../testing/test-callers.ts';

const now = Date.parse('2026-01-02T00:00:00.000Z');
/** in-a is in thing group a, in-b in b; nothing at all is known of `ghost`. */
const thingGroups: Record<string, string[]> = { 'in-a': ['a'], 'in-b': ['b', 'c'] };
const stored: Record<string, StoredReading[]> = {
  'in-a': [{ ts: now - 60_000, seq: 1, values: { t: 1 } }],
  'in-b': [{ ts: now - 60_000, seq: 1, values: { t: 2 } }],
};
const states: Record<string, DeviceState> = {
  'in-a': { deviceId: 'in-a', online: true, connectedAt: new Date().toISOString() },
  'in-b': { deviceId: 'in-b', online: true, connectedAt: new Date().toISOString() },
};
const asked: string[] = [];
const groups: GroupMembership = {
  groupsOf: async (id) => {
    asked.push(id);
    return new Set(thingGroups[id] ?? []);
  },
};
const telemetry: TelemetryStore = {
  ...emptyStores.telemetry,
  async *query({ deviceId }) {
    yield* stored[deviceId] ?? [];
  },
};

let callers: TestCallers;
let app: ReturnType<typeof buildApp>;
const scoped = ['viewer', 'thing-group:a'];
const as = async (options: InjectOptions | string, who: string[]) =>
  app.inject({ ...(typeof options === 'string' ? { url: options } : options), headers: await callers.headers(who) });
/** An answer with the device id taken out, to compare a device outside with an unknown one. */
const anonymous = async (url: (id: string) => string, id: string, who: string[]) => {
  const res = await as(url(id), who);
  return { status: res.statusCode, body: res.body.replaceAll(id, '<id>') };
};

beforeAll(async () => {
  callers = await createTestCallers();
  app = buildApp({
    logger: pino({ level: 'silent' }),
    verifier: callers.verifier,
    ...emptyStores,
    telemetry,
    latest: {
      ...emptyStores.latest,
      get: async (deviceId) => {
        const r = stored[deviceId]?.[0];
        return r ? { deviceId, ...r, receivedAt: r.ts } : undefined;
      },
    },
    states: { getMany: async (ids) => ids.map((deviceId) => states[deviceId] ?? { deviceId, online: false }) },
    statusCounts: { counts: async () => ({ online: 2, silent: 0, offline: 0, total: 2, silentAfterMs: 1, countedAt: 'fleet' }) },
    groups,
    groupDevices: async (group) => Object.keys(thingGroups).filter((id) => thingGroups[id]?.includes(group)),
    usage: { read: async () => ({}) as never },
  });
});

const deviceReads: [string, (id: string) => string][] = [
  ['latest', (id) => `/data/devices/${id}/latest`],
  ['chart readings', (id) => `/data/devices/${id}/readings?from=${now - 3_600_000}&to=${now}`],
  ['raw readings', (id) => `/data/devices/${id}/readings/raw?from=${now - 3_600_000}&to=${now}`],
  ['state', (id) => `/data/device-states?ids=${id}`],
];

describe('a caller granted thing group a', () => {
  it.each(deviceReads)('reads %s of a device of group a', async (_name, url) => {
    const res = await as(url('in-a'), scoped);
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/"t"|"online":true/);
  });

  it.each(deviceReads)('gets %s of a device of group b answered as an unknown device', async (_name, url) => {
    const outside = await anonymous(url, 'in-b', scoped);
    expect(outside).toEqual(await anonymous(url, 'ghost', scoped));
    // And different from what the same caller would learn with access: nothing of b's device shows.
    expect(outside).not.toEqual(await anonymous(url, 'in-b', ['viewer']));
  });

  it('gets the states of many devices with those outside answered as unknown, in the order asked', async () => {
    const res = await as('/data/device-states?ids=in-b,in-a,ghost', scoped);
    expect(res.json().devices).toEqual([{ deviceId: 'in-b', online: false }, states['in-a'], { deviceId: 'ghost', online: false }]);
  });

  it("counts the statuses of its groups' devices alone", async () => {
    const res = await as('/data/device-status-counts', scoped);
    expect(res.json()).toMatchObject({ online: 1, silent: 0, offline: 0, total: 1 });
  });

  it.each(['/data/dead-letters', '/data/data-usage'])('is refused %s, a fleet-wide read, with 403', async (url) => {
    const res = await as(url, ['operator', 'thing-group:a']);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'Forbidden', message: expect.stringContaining('the thing groups a') });
  });
});

describe('callers without a grant, and admins', () => {
  it.each([[['viewer']], [['admin', 'thing-group:a']]])('%j read every device and the whole fleet, without asking IoT', async (who) => {
    asked.length = 0;
    for (const [, url] of deviceReads) expect((await as(url('in-b'), who)).body).toMatch(/"t"|"online":true/);
    expect((await as('/data/device-status-counts', who)).json()).toMatchObject({ countedAt: 'fleet' });
    expect(asked).toEqual([]);
  });

  it('an operator without a grant reads the dead letters', async () => {
    expect((await as('/data/dead-letters', ['operator'])).statusCode).toBe(200);
  });
});
