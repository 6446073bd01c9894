/**
 * The Overview (`/`), where a person lands after signing in: the fleet as a whole from
 * `GET /api/overview` — devices online, offline and silent (each a link into the device list
 * filtered to it), readings and rejects per minute over the last hour, open alarms, recent dead
 * letters — refreshed every 20 s. A part the API could not load says why; the others still show.
 */
import { overviewLinks, type DeviceStatus, type Overview, type Permission } from '@fleet/core';
import { useCallback } from 'react';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { RouteLink } from '../form-kit.tsx';
import { timeAgo } from '../format.ts';
import { usePolled } from '../polling.ts';
import { AlarmsPanel, count, DeadLettersPanel, ThroughputPanel, Unavailable } from './overview-panels.tsx';

/** Within the 15–30 s a landing page may lag; the API's parts are cheap enough for every open page. */
export const overviewRefreshMs = 20_000;

const minutes = (ms: number) => Math.round(ms / 60_000);

const statusTiles: readonly { status: DeviceStatus; label: string; className: string }[] = [
  { status: 'online', label: 'online', className: 'tile-ok' },
  { status: 'offline', label: 'offline', className: 'tile-idle' },
  { status: 'silent', label: 'silent', className: 'tile-warn' },
];

function DeviceTiles(props: { devices: Overview['devices']; navigate: (to: string) => void }) {
  const { devices } = props;
  if (!devices.available) return <Unavailable what="Device counts" reason={devices.reason} />;
  return (
    <>
      <ul className="overview-tiles" aria-label="Devices by status">
        <li className="overview-tile">
          <RouteLink to="/devices" navigate={props.navigate}>
            <span className="tile-number" data-testid="tile-total">
              {count(devices.total)}
            </span>{' '}
            <span className="tile-label">devices</span>
          </RouteLink>
        </li>
        {statusTiles.map((t) => (
          <li key={t.status} className={`overview-tile ${t.className}`}>
            <RouteLink to={overviewLinks.devicesWithStatus(t.status)} navigate={props.navigate}>
              <span className="tile-number" data-testid={`tile-${t.status}`}>
                {count(devices[t.status])}
              </span>{' '}
              <span className="tile-label">{t.label}</span>
            </RouteLink>
          </li>
        ))}
      </ul>
      <p className="muted" data-testid="silent-explained">
        Silent: connected, but no reading for more than {minutes(devices.silentAfterMs)} minutes.
      </p>
    </>
  );
}

export default function OverviewPage(props: { api: Api; navigate: (to: string) => void; may: (p: Permission) => boolean }) {
  const { api, navigate, may } = props;
  const load = useCallback(() => api.overview(), [api]);
  const { value, error } = usePolled(load, undefined, overviewRefreshMs);

  return (
    <>
      <div className="card">
        <div className="overview-heading">
          <h2>Overview</h2>
          {value && (
            <span className="muted" data-testid="overview-updated">
              updated {timeAgo(value.generatedAt)}, every {overviewRefreshMs / 1000} s
            </span>
          )}
          {may('manageDevices') && <button onClick={() => navigate('/devices/new')}>Register a device</button>}
        </div>
        <ErrorNotice error={error} />
        {!value && error === undefined && <p className="muted">Loading…</p>}
        {value && <DeviceTiles devices={value.devices} navigate={navigate} />}
      </div>
      {value && (
        <>
          <ThroughputPanel throughput={value.throughput} />
          <div className="overview-columns">
            <AlarmsPanel alarms={value.alarms} navigate={navigate} />
            {value.deadLetters && <DeadLettersPanel deadLetters={value.deadLetters} navigate={navigate} />}
          </div>
        </>
      )}
    </>
  );
}
