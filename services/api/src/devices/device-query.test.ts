import fc from 'fast-check';
import { silentAfterMs, type DeviceFilter, type DeviceSort, type DeviceView, type SortOrder } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { queryDevices, type DeviceListPage, type QueryContext } from './device-query.ts';
import { InvalidCursorError } from './device-registry.ts';

const now = Date.parse('2026-06-01T12:00:00.000Z');

function device(deviceId: string, over: Partial<DeviceView> = {}): DeviceView {
  return {
    deviceId,
    name: deviceId,
    ownerId: 'o',
    ownerName: 'o',
    createdAt: '2026-01-01T00:00:00.000Z',
    certificateArn: 'arn:aws:iot:us-east-1:0:cert/c',
    certificateId: 'c',
    status: 'active',
    online: false,
    ...over,
  };
}

/** Every page of a request, following the cursors. */
function allPages(
  devices: DeviceView[],
  request: { filter: DeviceFilter; sort: DeviceSort; order: SortOrder; limit: number },
  context: QueryContext,
) {
  const pages: DeviceListPage[] = [];
  let cursor: string | undefined;
  do {
    const page = queryDevices(devices, { ...request, ...(cursor ? { cursor } : {}) }, context);
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor && pages.length <= devices.length + 1);
  return pages;
}

describe('queryDevices', () => {
  const fleet = [
    device('boiler-1', {
      name: 'Boiler room',
      createdAt: '2026-01-03T00:00:00.000Z',
      online: true,
      latest: { ts: 1, seq: 1, values: { t: 1 }, receivedAt: now - 5_000 },
    }),
    device('cold-7', {
      name: 'Cold store',
      createdAt: '2026-01-01T00:00:00.000Z',
      online: true,
      connectedAt: new Date(now - 2 * silentAfterMs).toISOString(),
      latest: { ts: 1, seq: 1, values: { t: 1 }, receivedAt: now - silentAfterMs - 1 },
    }),
    device('attic-2', {
      name: 'attic fan',
      createdAt: '2026-01-02T00:00:00.000Z',
      online: false,
      lastSeenAt: new Date(now - 60_000).toISOString(),
    }),
    device('new-9', { name: 'Unboxed', createdAt: '2026-01-04T00:00:00.000Z' }),
  ];
  const ids = (page: DeviceListPage) => page.items.map((d) => d.deviceId);
  const ask = (filter: DeviceFilter, sort: DeviceSort = 'registeredAt', order: SortOrder = 'asc', context: Partial<QueryContext> = {}) =>
    queryDevices(fleet, { filter, sort, order, limit: 50 }, { now, ...context });

  it('keeps registration order without a sort, as the list always answered', () => {
    expect(ids(ask({}))).toEqual(['cold-7', 'attic-2', 'boiler-1', 'new-9']);
  });

  it('searches the id and the name, ignoring case', () => {
    expect(ids(ask({ q: 'BOIL' }))).toEqual(['boiler-1']);
    expect(ids(ask({ q: 'store' }))).toEqual(['cold-7']);
    expect(ids(ask({ q: '  Fan ' }))).toEqual(['attic-2']);
    expect(ask({ q: 'nothing-like-it' })).toEqual({ items: [], total: 0 });
  });

  it('tells online, offline and silent apart (connected without a reading for longer than silentAfterMs)', () => {
    expect(ids(ask({ status: 'online' }))).toEqual(['boiler-1']);
    expect(ids(ask({ status: 'silent' }))).toEqual(['cold-7']);
    expect(ids(ask({ status: 'offline' }))).toEqual(['attic-2', 'new-9']);
    expect(ask({}).items.map((d) => d.connectivity)).toEqual(['silent', 'offline', 'online', 'offline']);
  });

  it('sorts by name and by last seen (a lifecycle event or a reading), the never seen first ascending and last descending', () => {
    expect(ids(ask({}, 'name'))).toEqual(['attic-2', 'boiler-1', 'cold-7', 'new-9']);
    expect(ids(ask({}, 'lastSeen', 'desc'))).toEqual(['boiler-1', 'attic-2', 'cold-7', 'new-9']);
    expect(ids(ask({}, 'lastSeen', 'asc'))).toEqual(['new-9', 'cold-7', 'attic-2', 'boiler-1']);
    expect(ask({ q: 'boiler' }).items[0]?.lastActivityAt).toBe(new Date(now - 5_000).toISOString());
  });

  it('filters by the members of a thing group', () => {
    expect(ids(ask({ group: 'north' }, 'name', 'asc', { groupMembers: new Set(['new-9', 'attic-2', 'not-registered']) }))).toEqual([
      'attic-2',
      'new-9',
    ]);
    expect(ask({ group: 'empty' }, 'name', 'asc', { groupMembers: new Set() }).total).toBe(0);
  });

  describe('thing attributes', () => {
    const attributed = [
      device('pump-1', { attributes: { owner: 'sub-5a1e', name: 'Pump_1', site: 'lyon', floor: '2' } }),
      device('pump-2', { attributes: { owner: 'sub-5a1e', name: 'Pump_2', site: 'lyon', model: 'x=1' } }),
      device('pump-3', { attributes: { owner: 'sub-5a1e', name: 'Pump_3', site: 'lyon-east' } }),
      device('pump-4'),
      // An attribute named after an Object member is a name like any other.
      device('pump-5', { attributes: Object.fromEntries([['constructor', 'c']]) }),
    ];
    const find = (filter: DeviceFilter) =>
      ids(queryDevices(attributed, { filter, sort: 'registeredAt', order: 'asc', limit: 50 }, { now }));

    it('keeps the devices whose attribute has exactly the value', () => {
      expect(find({ attribute: ['site=lyon'] })).toEqual(['pump-1', 'pump-2']);
      expect(find({ attribute: ['site=LYON'] })).toEqual([]);
      // The value may hold `=`: the first one ends the name.
      expect(find({ attribute: ['model=x=1'] })).toEqual(['pump-2']);
    });

    it('keeps the devices that have an attribute, whatever its value, when no value is given', () => {
      expect(find({ attribute: ['site'] })).toEqual(['pump-1', 'pump-2', 'pump-3']);
      expect(find({ attribute: ['constructor'] })).toEqual(['pump-5']);
      expect(find({ attribute: ['toString'] })).toEqual([]);
    });

    it('needs every condition to hold', () => {
      expect(find({ attribute: ['site=lyon', 'floor'] })).toEqual(['pump-1']);
      expect(find({ attribute: ['site=lyon', 'floor=3'] })).toEqual([]);
    });

    it("searches attribute values too, but not the owner's id", () => {
      expect(find({ q: 'EAST' })).toEqual(['pump-3']);
      expect(find({ q: '5a1e' })).toEqual([]);
    });

    it('answers the attributes with each device', () => {
      const [first] = queryDevices(attributed, { filter: { attribute: ['floor=2'] }, sort: 'name', order: 'asc', limit: 1 }, { now }).items;
      expect(first?.attributes).toEqual({ owner: 'sub-5a1e', name: 'Pump_1', site: 'lyon', floor: '2' });
    });
  });

  it('counts every match in total while a page holds at most the limit', () => {
    const page = queryDevices(fleet, { filter: {}, sort: 'name', order: 'asc', limit: 3 }, { now });
    expect(page.total).toBe(4);
    expect(page.items).toHaveLength(3);
    expect(page.nextCursor).toBeDefined();
    const last = queryDevices(fleet, { filter: {}, sort: 'name', order: 'asc', limit: 3, cursor: page.nextCursor! }, { now });
    expect(ids(last)).toEqual(['new-9']);
    expect(last.nextCursor).toBeUndefined();
  });

  it('refuses a cursor that is not its own, or one issued for another sort or order', () => {
    const { nextCursor } = queryDevices(fleet, { filter: {}, sort: 'name', order: 'asc', limit: 1 }, { now });
    expect(() => queryDevices(fleet, { filter: {}, sort: 'lastSeen', order: 'asc', limit: 1, cursor: nextCursor! }, { now })).toThrow(
      /was issued for sort=name&order=asc, not sort=lastSeen&order=asc/,
    );
    expect(() => queryDevices(fleet, { filter: {}, sort: 'name', order: 'asc', limit: 1, cursor: 'bm9wZQ' }, { now })).toThrow(
      InvalidCursorError,
    );
  });

  it('does not shift or repeat the next page when a device before the cursor is revoked meanwhile', () => {
    const first = queryDevices(fleet, { filter: {}, sort: 'name', order: 'asc', limit: 2 }, { now });
    const fewer = fleet.filter((d) => d.deviceId !== 'attic-2');
    const second = queryDevices(fewer, { filter: {}, sort: 'name', order: 'asc', limit: 2, cursor: first.nextCursor! }, { now });
    expect(ids(second)).toEqual(['cold-7', 'new-9']);
  });
});

describe('paging through any filter and sort (property)', () => {
  const arbDevice = fc.record({
    id: fc.stringMatching(/^[a-c][a-c0-9-]{0,5}$/),
    name: fc.constantFrom('', 'Alpha', 'alpha', 'Beta', 'boiler', 'Cold', 'cold'),
    createdDay: fc.integer({ min: 1, max: 5 }),
    online: fc.boolean(),
    seenAgo: fc.option(fc.integer({ min: 0, max: 3 * silentAfterMs }), { nil: undefined }),
    readAgo: fc.option(fc.integer({ min: 0, max: 3 * silentAfterMs }), { nil: undefined }),
    groups: fc.subarray(['north', 'south']),
    attributes: fc.dictionary(fc.constantFrom('site', 'floor', 'constructor'), fc.constantFrom('lyon', 'Lyon-2', '1', 'a=b')),
  });
  const arbFleet = fc.uniqueArray(arbDevice, { selector: (d) => d.id, maxLength: 40 });
  const arbRequest = fc.record({
    q: fc.option(fc.constantFrom('a', 'B', 'co', '1', '-', 'zz'), { nil: undefined }),
    status: fc.option(fc.constantFrom('online' as const, 'offline' as const, 'silent' as const), { nil: undefined }),
    group: fc.option(fc.constantFrom('north', 'south'), { nil: undefined }),
    attribute: fc.option(
      fc.uniqueArray(fc.constantFrom('site', 'site=lyon', 'floor=1', 'constructor', 'constructor=a=b', 'missing'), {
        minLength: 1,
        maxLength: 3,
      }),
      { nil: undefined },
    ),
    sort: fc.constantFrom<DeviceSort>('registeredAt', 'name', 'lastSeen'),
    order: fc.constantFrom<SortOrder>('asc', 'desc'),
    limit: fc.integer({ min: 1, max: 7 }),
  });

  it('yields each matching device exactly once, in order, and nothing else', () => {
    fc.assert(
      fc.property(arbFleet, arbRequest, (specs, r) => {
        const devices = specs.map((s) =>
          device(s.id, {
            name: s.name,
            createdAt: `2026-01-0${s.createdDay}T00:00:00.000Z`,
            online: s.online,
            attributes: s.attributes,
            ...(s.seenAgo === undefined ? {} : { lastSeenAt: new Date(now - s.seenAgo).toISOString() }),
            ...(s.readAgo === undefined ? {} : { latest: { ts: 1, seq: 1, values: {}, receivedAt: now - s.readAgo } }),
          }),
        );
        const members = new Set(specs.filter((s) => r.group !== undefined && s.groups.includes(r.group)).map((s) => s.id));
        const filter: DeviceFilter = {
          ...(r.q ? { q: r.q } : {}),
          ...(r.status ? { status: r.status } : {}),
          ...(r.group ? { group: r.group } : {}),
          ...(r.attribute ? { attribute: r.attribute } : {}),
        };
        const context: QueryContext = { now, ...(r.group ? { groupMembers: members } : {}) };
        const pages = allPages(devices, { filter, sort: r.sort, order: r.order, limit: r.limit }, context);
        const seen = pages.flatMap((p) => p.items);

        // The expected set, computed independently of the query's code.
        const expected = devices.filter((d) => {
          const q = r.q?.toLowerCase();
          const values = Object.values(d.attributes ?? {}).map((v) => v.toLowerCase());
          if (q && !d.deviceId.toLowerCase().includes(q) && !d.name.toLowerCase().includes(q) && !values.some((v) => v.includes(q)))
            return false;
          if (r.group && !members.has(d.deviceId)) return false;
          for (const condition of r.attribute ?? []) {
            const [name = '', ...rest] = condition.split('=');
            const entry = Object.entries(d.attributes ?? {}).find(([n]) => n === name);
            if (!entry || (rest.length > 0 && entry[1] !== rest.join('='))) return false;
          }
          if (r.status) {
            // Heard from: the latest reading or the connect (the last lifecycle event when the connect time is unknown).
            const connected = d.connectedAt ?? d.lastSeenAt;
            const heard = Math.max(d.latest?.receivedAt ?? -Infinity, connected ? Date.parse(connected) : -Infinity);
            const status = !d.online ? 'offline' : !Number.isFinite(heard) || now - heard > silentAfterMs ? 'silent' : 'online';
            if (status !== r.status) return false;
          }
          return true;
        });
        expect(seen.map((d) => d.deviceId).sort()).toEqual(expected.map((d) => d.deviceId).sort());
        expect(new Set(seen.map((d) => d.deviceId)).size).toBe(seen.length);
        for (const p of pages) expect(p.total).toBe(expected.length);
        for (const p of pages.slice(0, -1)) expect(p.items).toHaveLength(r.limit);

        // In order: each neighbour pair is ordered by the sort key, ties by id, in the direction asked.
        const key = (d: DeviceView): string | number =>
          r.sort === 'name'
            ? (d.name || d.deviceId).toLowerCase()
            : r.sort === 'registeredAt'
              ? d.createdAt
              : Math.max(d.lastSeenAt ? Date.parse(d.lastSeenAt) : -1, d.latest?.receivedAt ?? -1);
        const sign = r.order === 'asc' ? 1 : -1;
        for (let i = 1; i < seen.length; i++) {
          const [a, b] = [seen[i - 1]!, seen[i]!];
          const byKey = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
          const byId = a.deviceId < b.deviceId ? -1 : 1;
          expect(sign * (byKey || byId)).toBeLessThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
