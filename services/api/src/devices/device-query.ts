/**
 * Search, filter, sort and keyset paging over the device index (`device-index.ts`), in memory:
 * DynamoDB cannot sort or search a Scan, so the API keeps every device of the registry with its
 * state and answers a page from that. 10,000 devices filter and sort in a few milliseconds.
 *
 * The cursor is the position after the last device of a page (its sort key and id), not an offset:
 * a device registered or revoked between two pages neither shifts nor repeats the others. A device
 * whose sort key changes between two pages (its last-seen time moves) may be met twice or not at
 * all while the user pages by last seen, as with any live list.
 */
import {
  deviceStatusOf,
  lastActivityOf,
  meetsAttributeCondition,
  parseAttributeFilter,
  platformThingAttributes,
  type AttributeCondition,
  type DeviceFilter,
  type DeviceSort,
  type DeviceView,
  type SortOrder,
} from '@fleet/core';
import { InvalidCursorError } from './device-registry.ts';

export interface DeviceListRequest {
  readonly filter: DeviceFilter;
  readonly sort: DeviceSort;
  readonly order: SortOrder;
  readonly limit: number;
  readonly cursor?: string;
}

export interface DeviceListPage {
  readonly items: DeviceView[];
  readonly total: number;
  readonly nextCursor?: string;
}

export interface QueryContext {
  readonly now: number;
  /** The members of the filter's group, when it names one. */
  readonly groupMembers?: ReadonlySet<string>;
}

type SortKey = string | number;

/** A device's key under a sort; a device never seen sorts before every seen one (last by newest first). */
function keyOf(device: DeviceView, sort: DeviceSort): SortKey {
  if (sort === 'name') return (device.name || device.deviceId).toLowerCase();
  if (sort === 'lastSeen') return lastActivityOf(device) ?? -1;
  return device.createdAt;
}

const compareKeys = (a: SortKey, b: SortKey) => (a < b ? -1 : a > b ? 1 : 0);

/** A device with its connectivity at `now` and its last activity, as the list answers it. */
export function withActivity(device: DeviceView, now: number): DeviceView {
  const last = lastActivityOf(device);
  return {
    ...device,
    connectivity: deviceStatusOf(device, now),
    ...(last === undefined ? {} : { lastActivityAt: new Date(last).toISOString() }),
  };
}

/** The conditions of a filter's `attribute` texts, which the route's schema checked already. */
function attributeConditions(filter: DeviceFilter): AttributeCondition[] {
  return (filter.attribute ?? []).map((text) => {
    const condition = parseAttributeFilter(text);
    if (!condition) throw new Error(`attribute filter ${JSON.stringify(text.slice(0, 80))} reached the query unchecked`);
    return condition;
  });
}

/**
 * Whether the search text is in the device's id, name or an attribute's value. The `owner`
 * attribute is left out: it is a user id, and a few hex digits would match every device one user
 * registered.
 */
function mentions(device: DeviceView, needle: string): boolean {
  if (device.deviceId.toLowerCase().includes(needle) || device.name.toLowerCase().includes(needle)) return true;
  for (const [name, value] of Object.entries(device.attributes ?? {})) {
    if (name !== platformThingAttributes.owner && value.toLowerCase().includes(needle)) return true;
  }
  return false;
}

/** Devices that match every part of the filter (cheap tests first: a search or a group excludes most). */
export function filterDevices(devices: Iterable<DeviceView>, filter: DeviceFilter, context: QueryContext): DeviceView[] {
  const needle = filter.q?.trim().toLowerCase() ?? '';
  const conditions = attributeConditions(filter);
  const matching: DeviceView[] = [];
  for (const device of devices) {
    if (needle && !mentions(device, needle)) continue;
    if (filter.group !== undefined && !context.groupMembers?.has(device.deviceId)) continue;
    if (!conditions.every((condition) => meetsAttributeCondition(device.attributes, condition))) continue;
    if (filter.status !== undefined && deviceStatusOf(device, context.now) !== filter.status) continue;
    matching.push(device);
  }
  return matching;
}

/** One page of the devices matching the request, in its order, after its cursor. */
export function queryDevices(devices: Iterable<DeviceView>, request: DeviceListRequest, context: QueryContext): DeviceListPage {
  const { sort, order, limit } = request;
  const direction = order === 'asc' ? 1 : -1;
  const after = request.cursor === undefined ? undefined : decodeCursor(request.cursor, sort, order);
  // The id breaks ties, so the order is total and a cursor names one position.
  const compare = (a: { key: SortKey; id: string }, b: { key: SortKey; id: string }) =>
    direction * (compareKeys(a.key, b.key) || compareKeys(a.id, b.id));
  const entries = filterDevices(devices, request.filter, context)
    .map((device) => ({ device, key: keyOf(device, sort), id: device.deviceId }))
    .sort(compare);
  let start = 0;
  if (after) {
    // The first entry after the cursor's position (binary search: the entries are sorted by `compare`).
    let high = entries.length;
    while (start < high) {
      const mid = (start + high) >>> 1;
      if (compare(entries[mid]!, after) <= 0) start = mid + 1;
      else high = mid;
    }
  }
  const page = entries.slice(start, start + limit);
  const last = page.at(-1);
  const more = start + limit < entries.length;
  return {
    items: page.map((e) => withActivity(e.device, context.now)),
    total: entries.length,
    ...(more && last ? { nextCursor: encodeCursor({ s: sort, o: order, k: last.key, i: last.id }) } : {}),
  };
}

interface CursorBody {
  readonly s: DeviceSort;
  readonly o: SortOrder;
  readonly k: SortKey;
  readonly i: string;
}

const encodeCursor = (body: CursorBody) => Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');

function decodeCursor(cursor: string, sort: DeviceSort, order: SortOrder): { key: SortKey; id: string } {
  let parsed: Partial<Record<keyof CursorBody, unknown>> | undefined;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  const key = parsed?.k;
  if (!parsed || typeof parsed.i !== 'string' || (typeof key !== 'string' && typeof key !== 'number')) throw new InvalidCursorError(cursor);
  if (parsed.s !== sort || parsed.o !== order) {
    throw new InvalidCursorError(
      cursor,
      `was issued for sort=${String(parsed.s)}&order=${String(parsed.o)}, not sort=${sort}&order=${order}`,
    );
  }
  return { key, id: parsed.i };
}
