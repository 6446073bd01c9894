/**
 * The device list at fleet scale: search, status, group and thing attribute filters, sort and paging all run on the
 * server (`GET /api/devices`), the list's state lives in the URL (`device-list-url.ts`), each row
 * shows the device's status with a ticking "last seen N s ago" and its latest values, and selected
 * rows (or every device matching) can be revoked, commanded or added to a group in one call.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { deviceListLimits, deviceStatuses, type DevicePage, type Permission } from '@fleet/core';
import type { Api, Device } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { RouteLink } from '../form-kit.tsx';
import { appPaths } from '../app-paths.ts';
import { formatValue, metricLabel, timeAgo, type MetricDisplay } from '../format.ts';
import { useMetricSettings } from '../use-metric-settings.ts';
import { usePolled } from '../polling.ts';
import { ownAttributes, parseAttributeConditions } from '../attribute-text.ts';
import { DeviceBulkPanel, type BulkSelection } from './device-bulk-panel.tsx';
import {
  groupInputPattern,
  listFilter,
  listQuery,
  listUrl,
  oneOf,
  parseListState,
  withFilter,
  type DeviceListState,
} from './device-list-url.ts';

/** Rows a page shows. */
export const devicesPerPage = 50;

/** The current time, once a second: "last seen" ticks without asking the API. */
function useNow(everyMs = 1_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

function StatusCell(props: { device: Device; now: number }) {
  const { device, now } = props;
  const status = device.connectivity ?? (device.online ? 'online' : 'offline');
  return (
    <td data-testid="device-status">
      <span className={`status ${status}`} aria-hidden="true" />
      {status}
      <div className="muted" data-testid="last-seen">
        {device.lastActivityAt ? `last seen ${timeAgo(device.lastActivityAt, now)}` : 'never seen'}
      </div>
    </td>
  );
}

/** The latest values, each with its metric's label, unit and decimals (the fleet's metric display settings). */
function LatestValues(props: { device: Device; display: MetricDisplay }) {
  const values = Object.entries(props.device.latest?.values ?? {});
  if (values.length === 0) return <>—</>;
  const { display } = props;
  return (
    <>{values.map(([metric, value]) => `${metricLabel(metric, display[metric])} ${formatValue(value, display[metric])}`).join(' · ')}</>
  );
}

/** The device's own attributes (Fleet's `owner` and `name` aside), `name=value` each. */
function AttributesCell(props: { device: Device }) {
  const own = ownAttributes(props.device.attributes);
  return <td data-testid="device-attributes">{own.length === 0 ? '—' : own.map(([name, value]) => `${name}=${value}`).join(' · ')}</td>;
}

function Filters(props: { state: DeviceListState; go: (state: DeviceListState) => void }) {
  const { state, go } = props;
  const [q, setQ] = useState(state.q);
  const [group, setGroup] = useState(state.group);
  const [attributes, setAttributes] = useState(state.attributes.join(' '));
  const [problem, setProblem] = useState<string>();
  useEffect(() => setQ(state.q), [state.q]);
  useEffect(() => setGroup(state.group), [state.group]);
  const attributesInUrl = state.attributes.join(' ');
  useEffect(() => setAttributes(attributesInUrl), [attributesInUrl]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const conditions = parseAttributeConditions(attributes);
    if (conditions.invalid.length > 0 || conditions.valid.length > deviceListLimits.maxAttributeFilters) {
      setProblem(
        conditions.invalid.length > 0
          ? `"${conditions.invalid[0]!.slice(0, 80)}" is no attribute condition: write name=value or name (letters, digits and _ . , @ / : # - ; a value may also hold = [ ]), separated by spaces`
          : `At most ${deviceListLimits.maxAttributeFilters} attribute conditions`,
      );
      return;
    }
    setProblem(undefined);
    go(withFilter(state, { q: q.trim(), group: group.trim(), attributes: conditions.valid }));
  };
  return (
    <form className="inline device-filters" role="search" onSubmit={submit}>
      <label>
        Search
        <input
          name="q"
          type="search"
          value={q}
          maxLength={128}
          placeholder="id, name or attribute"
          onChange={(e) => setQ(e.target.value)}
        />
      </label>
      <label>
        Attributes
        <input
          name="attributes"
          value={attributes}
          placeholder="site=lyon floor"
          aria-describedby="attribute-filter-help"
          aria-invalid={problem !== undefined}
          onChange={(e) => setAttributes(e.target.value)}
        />
        <span id="attribute-filter-help" className="visually-hidden">
          name=value keeps devices with that value, name alone those having the attribute; separate conditions by spaces, all must hold
        </span>
      </label>
      <label>
        Status
        <select
          name="status"
          aria-label="Status"
          value={state.status ?? ''}
          onChange={(e) => {
            const { status: _was, ...rest } = state;
            const status = oneOf(deviceStatuses, e.target.value);
            go(withFilter(status ? { ...rest, status } : rest, {}));
          }}
        >
          <option value="">any</option>
          <option value="online">online</option>
          <option value="silent">silent</option>
          <option value="offline">offline</option>
        </select>
      </label>
      <label>
        Group
        <input
          name="group"
          value={group}
          maxLength={128}
          pattern={groupInputPattern}
          placeholder="thing group"
          onChange={(e) => setGroup(e.target.value)}
        />
      </label>
      <label>
        Sort by
        <select
          name="sort"
          aria-label="Sort by"
          value={`${state.sort} ${state.order}`}
          onChange={(e) => {
            const [sort, order] = e.target.value.split(' ') as [DeviceListState['sort'], DeviceListState['order']];
            go(withFilter(state, { sort, order }));
          }}
        >
          <option value="registeredAt asc">registered, oldest first</option>
          <option value="registeredAt desc">registered, newest first</option>
          <option value="name asc">name, A–Z</option>
          <option value="name desc">name, Z–A</option>
          <option value="lastSeen desc">last seen, latest first</option>
          <option value="lastSeen asc">last seen, longest ago first</option>
        </select>
      </label>
      <button type="submit">Search</button>
      {problem !== undefined && (
        <p className="error" role="alert" data-testid="attribute-filter-problem">
          {problem}
        </p>
      )}
    </form>
  );
}

export function DevicesPage(props: { api: Api; navigate: (to: string) => void; may: (p: Permission) => boolean; search: string }) {
  const { api, navigate, may, search } = props;
  const state = parseListState(search);
  const go = (next: DeviceListState) => navigate(listUrl(next));
  const load = useCallback(() => api.deviceList(listQuery(parseListState(search), devicesPerPage)), [api, search]);
  const { value: page, error, refresh } = usePolled<DevicePage>(load);
  const now = useNow();
  const { display } = useMetricSettings(api);
  const [selection, setSelection] = useState<BulkSelection>({ kind: 'ids', ids: new Set() });
  // A new list (filter, sort or page) starts with nothing selected.
  useEffect(() => setSelection({ kind: 'ids', ids: new Set() }), [search]);

  const items = page?.items ?? [];
  const total = page?.total ?? items.length;
  const selectedIds = selection.kind === 'ids' ? selection.ids : new Set(items.map((d) => d.deviceId));
  const wholePage = items.length > 0 && items.every((d) => selectedIds.has(d.deviceId));
  const toggle = (deviceId: string) => {
    const ids = new Set(selectedIds);
    if (ids.has(deviceId)) ids.delete(deviceId);
    else ids.add(deviceId);
    setSelection({ kind: 'ids', ids });
  };
  const mayAct = may('manageDevices') || may('manageDeviceGroups');

  return (
    <div className="card devices-page">
      <div className="page-title">
        <h2>Devices</h2>
        {may('manageDevices') && <button onClick={() => navigate('/devices/new')}>Register a device</button>}
        {may('manageDevices') && (
          <button className="secondary" onClick={() => navigate(appPaths.importDevices)}>
            Import devices
          </button>
        )}
      </div>
      <Filters state={state} go={go} />
      <ErrorNotice error={error} />
      {!page && error === undefined && <p className="muted">Loading…</p>}
      {page && (
        <p className="muted" data-testid="device-count" aria-live="polite">
          {total === 0 ? 'No devices match.' : `Page ${state.page} · ${items.length} shown of ${total.toLocaleString()} matching`}
        </p>
      )}
      {page && total === 0 && !state.q && !state.status && !state.group && state.attributes.length === 0 && (
        <p className="muted">
          {may('manageDevices')
            ? 'No devices yet. Register one to get its certificate.'
            : 'No devices yet. An operator or admin registers them.'}
        </p>
      )}
      {mayAct && page && items.length > 0 && (
        <DeviceBulkPanel
          api={api}
          may={may}
          selection={selection}
          total={total}
          filter={listFilter(state)}
          wholePage={wholePage}
          pageSize={items.length}
          onSelectAll={() => setSelection({ kind: 'all' })}
          onClear={() => setSelection({ kind: 'ids', ids: new Set() })}
          onDone={() => void refresh()}
        />
      )}
      {items.length > 0 && (
        <div className="table-scroll" data-testid="device-table-box">
          <table data-testid="device-list">
            <thead>
              <tr>
                {mayAct && (
                  <th>
                    <input
                      type="checkbox"
                      aria-label="Select every device of this page"
                      checked={wholePage}
                      onChange={() => setSelection({ kind: 'ids', ids: wholePage ? new Set() : new Set(items.map((d) => d.deviceId)) })}
                    />
                  </th>
                )}
                <th>Device</th>
                <th>Status</th>
                <th>Attributes</th>
                <th>Latest values</th>
                <th>Last reading</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.deviceId} data-testid={`device-row-${d.deviceId}`}>
                  {mayAct && (
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Select ${d.name || d.deviceId}`}
                        checked={selectedIds.has(d.deviceId)}
                        onChange={() => toggle(d.deviceId)}
                      />
                    </td>
                  )}
                  <td>
                    <RouteLink to={`/devices/${encodeURIComponent(d.deviceId)}`} navigate={navigate}>
                      {d.name || d.deviceId}
                    </RouteLink>
                    <div className="muted">{d.deviceId}</div>
                  </td>
                  <StatusCell device={d} now={now} />
                  <AttributesCell device={d} />
                  <td data-testid="latest-values">
                    <LatestValues device={d} display={display} />
                  </td>
                  <td>{d.latest ? new Date(d.latest.ts).toLocaleString() : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page && (state.cursor || page.nextCursor) && (
        <nav className="pager" aria-label="Pages">
          {state.cursor && (
            <button className="secondary" onClick={() => go(withFilter(state, {}))}>
              First page
            </button>
          )}
          {page.nextCursor && (
            <button className="secondary" onClick={() => go({ ...state, cursor: page.nextCursor, page: state.page + 1 })}>
              Next page
            </button>
          )}
        </nav>
      )}
    </div>
  );
}

export default DevicesPage;
