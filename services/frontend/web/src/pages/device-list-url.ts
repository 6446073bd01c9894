/**
 * The device list's state lives in the URL
 * (`/devices?q=&status=&group=&attribute=site=lyon&attribute=floor&sort=&order=&cursor=&page=`),
 * so a link (the overview's `/devices?status=offline`), a reload and the browser's back button all
 * show the same list. Values the API would refuse are dropped, not sent.
 */
import {
  deviceStatuses,
  deviceListLimits,
  parseAttributeFilter,
  deviceSorts,
  sortOrders,
  thingGroupNamePattern,
  type DeviceFilter,
  type DeviceStatus,
  type DeviceSort,
  type SortOrder,
} from '@fleet/core';

export interface DeviceListState {
  readonly q: string;
  readonly status?: DeviceStatus;
  readonly group: string;
  /** Attribute conditions, `name=value` or `name`, all of which must hold (the API's `attribute`). */
  readonly attributes: readonly string[];
  readonly sort: DeviceSort;
  readonly order: SortOrder;
  readonly cursor?: string;
  /** The page number shown (1 = first); the cursor says where it starts. */
  readonly page: number;
}

export const devicesPath = '/devices';

/** `value` when it is one of `values`. */
export const oneOf = <T extends string>(values: readonly T[], value: string | null): T | undefined => values.find((v) => v === value);

const groupPattern = new RegExp(thingGroupNamePattern);

/** The same rule for an input's `pattern` attribute (which is anchored by the browser and compiled with the `v` flag). */
export const groupInputPattern = '[a-zA-Z0-9:_\\-]{1,128}';

/** The list's state from a location's search part (`?status=offline`). */
export function parseListState(search: string): DeviceListState {
  const p = new URLSearchParams(search);
  const status = oneOf(deviceStatuses, p.get('status'));
  const group = p.get('group') ?? '';
  const cursor = p.get('cursor') ?? '';
  const page = Number(p.get('page'));
  return {
    q: (p.get('q') ?? '').slice(0, deviceListLimits.maxQueryLength),
    ...(status ? { status } : {}),
    group: groupPattern.test(group) ? group : '',
    attributes: [...new Set(p.getAll('attribute').filter((a) => parseAttributeFilter(a)))].slice(0, deviceListLimits.maxAttributeFilters),
    sort: oneOf(deviceSorts, p.get('sort')) ?? 'registeredAt',
    order: oneOf(sortOrders, p.get('order')) ?? 'asc',
    ...(cursor ? { cursor } : {}),
    page: cursor && Number.isInteger(page) && page > 1 ? page : 1,
  };
}

/** The URL of a state; defaults are left out, so the plain list is `/devices`. */
export function listUrl(state: DeviceListState): string {
  const p = new URLSearchParams();
  if (state.q) p.set('q', state.q);
  if (state.status) p.set('status', state.status);
  if (state.group) p.set('group', state.group);
  for (const attribute of state.attributes) p.append('attribute', attribute);
  if (state.sort !== 'registeredAt') p.set('sort', state.sort);
  if (state.order !== 'asc') p.set('order', state.order);
  if (state.cursor) {
    p.set('cursor', state.cursor);
    p.set('page', String(state.page));
  }
  const text = p.toString();
  return text ? `${devicesPath}?${text}` : devicesPath;
}

/** The API query of a state (`GET /api/devices`); `attribute` repeats, one per condition. */
export function listQuery(state: DeviceListState, limit: number): URLSearchParams {
  const p = new URLSearchParams({
    ...(state.q.trim() ? { q: state.q.trim() } : {}),
    ...(state.status ? { status: state.status } : {}),
    ...(state.group ? { group: state.group } : {}),
  });
  for (const attribute of state.attributes) p.append('attribute', attribute);
  p.set('sort', state.sort);
  p.set('order', state.order);
  p.set('limit', String(limit));
  if (state.cursor) p.set('cursor', state.cursor);
  return p;
}

/** The filter a bulk action's "every device matching" names: the list's own. */
export function listFilter(state: DeviceListState): DeviceFilter {
  return {
    ...(state.q ? { q: state.q } : {}),
    ...(state.status ? { status: state.status } : {}),
    ...(state.group ? { group: state.group } : {}),
    ...(state.attributes.length > 0 ? { attribute: [...state.attributes] } : {}),
  };
}

/** A changed filter or sort starts again at the first page. */
export function withFilter(state: DeviceListState, change: Partial<Omit<DeviceListState, 'cursor' | 'page'>>): DeviceListState {
  const { cursor: _dropped, ...rest } = state;
  return { ...rest, ...change, page: 1 };
}
