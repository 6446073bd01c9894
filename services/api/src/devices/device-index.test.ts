import type { DeviceRecord, DeviceState } from '@fleet/core';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ApiClients } from '../aws-clients.ts';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';
import { createDeviceIndex } from './device-index.ts';
import type { DeviceRegistry } from './device-registry.ts';

const record = (deviceId: string): DeviceRecord => ({
  deviceId,
  name: deviceId,
  ownerId: 'o',
  ownerName: 'o',
  createdAt: '2026-01-01T00:00:00.000Z',
  certificateArn: 'arn:aws:iot:us-east-1:0:cert/c',
  certificateId: 'c',
  status: 'active',
});

/** A registry table shared by "tasks", a Data Service counting its calls, and a clock the test moves. */
function world(size: number) {
  const table = new Map<string, DeviceRecord>(Array.from({ length: size }, (_, i) => [`d-${i}`, record(`d-${i}`)]));
  let scans = 0;
  let gets = 0;
  const registry: DeviceRegistry = {
    create: async (r) => (table.has(r.deviceId) ? false : (table.set(r.deviceId, r), true)),
    get: async (id) => (gets++, table.get(id)),
    scanAll: async () => (scans++, [...table.values()]),
    remove: async (id) => void table.delete(id),
    certificateHistory: async (id) => {
      const found = table.get(id);
      return found ? { record: found, revoked: [], version: 0 } : undefined;
    },
    changeCertificates: async (id, _version, change) => {
      const found = table.get(id);
      if (!found) return 'missing';
      const changed = { ...found, ...change.current };
      table.set(id, changed);
      return changed;
    },
  };
  const stateCalls: string[][] = [];
  let online = false;
  let failing = false;
  const dataService = {
    deviceStates: async (ids: readonly string[]) => {
      stateCalls.push([...ids]);
      if (failing) throw new Error('data service down');
      return ids.map((deviceId): DeviceState => ({ deviceId, online }));
    },
  } as unknown as DataServiceClient;
  const clock = { now: 1_000_000 };
  // Thing attributes by name; ListThings answers them in pages of 250 (the claim adoption's
  // filtered ListThings finds no claimed thing).
  const attributes = new Map<string, Record<string, string>>(Array.from({ length: size }, (_, i) => [`d-${i}`, { site: `s-${i % 3}` }]));
  let attributePages = 0;
  const iot = {
    send: async (command: { input: { attributeName?: string; nextToken?: string; maxResults?: number } }) => {
      const { attributeName, nextToken, maxResults = 250 } = command.input;
      if (attributeName !== undefined) return { things: [] };
      attributePages++;
      const start = Number(nextToken ?? 0);
      const names = [...attributes.keys()].slice(start, start + maxResults);
      const more = start + maxResults < attributes.size;
      return {
        things: names.map((thingName) => ({ thingName, attributes: attributes.get(thingName) })),
        ...(more ? { nextToken: String(start + maxResults) } : {}),
      };
    },
  } as unknown as ApiClients['iot'];
  const index = createDeviceIndex({
    registry,
    dataService,
    iot,
    logger: pino({ level: 'silent' }),
    options: { registryMaxAgeMs: 10_000, statesMaxAgeMs: 5_000, staleServeMs: 60_000, now: () => clock.now },
  });
  return {
    table,
    index,
    clock,
    stateCalls,
    scans: () => scans,
    gets: () => gets,
    attributes,
    attributePages: () => attributePages,
    setOnline: (v: boolean) => void (online = v),
    setFailing: (v: boolean) => void (failing = v),
  };
}

describe('the device index', () => {
  it('reads the states of 10,000 devices in calls of 100, once while fresh', async () => {
    const w = world(10_000);
    expect(await w.index.devices('token')).toHaveLength(10_000);
    expect(w.stateCalls).toHaveLength(100);
    expect(new Set(w.stateCalls.flat()).size).toBe(10_000);
    w.clock.now += 4_000;
    await w.index.devices('token');
    expect(w.stateCalls).toHaveLength(100);
    expect(w.scans()).toBe(1);
  });

  it("shows this task's registration and revocation at once, another task's after the registry's max age", async () => {
    const w = world(3);
    await w.index.devices('t');
    await w.index.registry.create(record('mine'));
    await w.index.registry.remove('d-0');
    w.table.set('theirs', record('theirs'));
    const ids = async () => (await w.index.devices('t')).map((d) => d.deviceId).sort();
    expect(await ids()).toEqual(['d-1', 'd-2', 'mine']);
    w.clock.now += 10_001;
    expect(await ids()).toEqual(['d-1', 'd-2', 'mine', 'theirs']);
    expect(w.scans()).toBe(2);
  });

  it('reads one device from its fresh registry copy, else from a GetItem kept for the same max age', async () => {
    const w = world(3);
    await w.index.devices('t');
    expect(await w.index.record('d-1')).toEqual(record('d-1'));
    expect(w.gets()).toBe(0);

    // Registered by another task since the copy: read from the table at once, then kept.
    w.table.set('theirs', record('theirs'));
    expect((await w.index.record('theirs'))?.deviceId).toBe('theirs');
    expect(await w.index.record('nobody')).toBeUndefined();
    expect(w.gets()).toBe(2);

    // The copy is too old: one GetItem, then that item for the max age; a change made elsewhere after it.
    w.clock.now += 10_001;
    expect(await w.index.record('d-2')).toEqual(record('d-2'));
    w.table.set('d-2', { ...record('d-2'), name: 'renamed elsewhere' });
    w.clock.now += 10_000;
    expect((await w.index.record('d-2'))?.name).toBe('d-2');
    expect(w.gets()).toBe(3);
    w.clock.now += 1;
    expect((await w.index.record('d-2'))?.name).toBe('renamed elsewhere');
    expect(w.gets()).toBe(4);
  });

  it("applies this task's revocation and certificate change to a device read one at a time at once", async () => {
    const w = world(2);
    expect(await w.index.record('d-0')).toEqual(record('d-0'));
    expect(await w.index.record('d-1')).toEqual(record('d-1'));
    await w.index.registry.remove('d-0');
    await w.index.registry.changeCertificates('d-1', 0, {
      current: { certificateArn: 'arn:aws:iot:us-east-1:0:cert/new', certificateId: 'new' },
      revoked: [],
    });
    expect(await w.index.record('d-0')).toBeUndefined();
    expect((await w.index.record('d-1'))?.certificateId).toBe('new');
  });

  it("joins every thing's attributes, read in ListThings pages of 250 and once while fresh", async () => {
    const w = world(10_000);
    const devices = await w.index.devices('t');
    expect(w.attributePages()).toBe(40);
    expect(devices.find((d) => d.deviceId === 'd-4')?.attributes).toEqual({ site: 's-1' });
    w.clock.now += 4_000;
    await w.index.devices('t');
    expect(w.attributePages()).toBe(40);
  });

  it("re-reads attributes before the next list after this task's registration, another change after their max age", async () => {
    const w = world(3);
    await w.index.devices('t');
    const pages = w.attributePages();
    w.attributes.set('mine', { site: 'new' });
    await w.index.registry.create(record('mine'));
    expect((await w.index.devices('t')).find((d) => d.deviceId === 'mine')?.attributes).toEqual({ site: 'new' });
    expect(w.attributePages()).toBe(pages + 1);
    // Changed outside Fleet (UpdateThing): the older copy is answered while one refresh runs behind it.
    w.attributes.set('d-0', { site: 'moved' });
    w.clock.now += 10_001;
    expect((await w.index.devices('t')).find((d) => d.deviceId === 'd-0')?.attributes).toEqual({ site: 's-0' });
    await new Promise((resolve) => setImmediate(resolve));
    expect((await w.index.devices('t')).find((d) => d.deviceId === 'd-0')?.attributes).toEqual({ site: 'moved' });
  });

  it('answers from the older states while one refresh runs, then from the new ones', async () => {
    const w = world(2);
    await w.index.devices('t');
    w.setOnline(true);
    w.clock.now += 6_000;
    const during = await w.index.devices('t');
    expect(during.every((d) => !d.online)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await w.index.devices('t')).every((d) => d.online)).toBe(true);
  });

  it('fails when it has no states younger than the stale bound and the Data Service cannot answer', async () => {
    const w = world(2);
    w.setFailing(true);
    await expect(w.index.devices('t')).rejects.toThrow('data service down');
    w.setFailing(false);
    await w.index.devices('t');
    w.setFailing(true);
    w.clock.now += 61_000;
    await expect(w.index.devices('t')).rejects.toThrow('data service down');
  });
});
