import { useEffect, useState } from 'react';
import type { Api, Device } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { RouteLink } from '../form-kit.tsx';
import { formatValue, metricLabel } from '../format.ts';
import { useMetricSettings } from '../use-metric-settings.ts';

/** `mayRegister`: the user's role may register devices (viewers see the list only). */
export function DevicesPage(props: { api: Api; navigate: (to: string) => void; mayRegister: boolean }) {
  const [devices, setDevices] = useState<Device[]>();
  const [error, setError] = useState<unknown>();
  const { display } = useMetricSettings(props.api);
  useEffect(() => {
    let active = true;
    const load = () =>
      props.api.devices().then(
        (r) => {
          if (!active) return;
          setDevices(r.items);
          setError(undefined);
        },
        (err: unknown) => active && setError(err),
      );
    void load();
    // Online status and last values change by themselves: refresh the list every 10 s.
    const timer = setInterval(() => void load(), 10_000);
    return () => {
      active = false;
      clearInterval(timer);
    };
  }, [props.api]);

  return (
    <div className="card">
      <div style={{ display: 'flex', alignItems: 'center' }}>
        <h2 style={{ flex: 1 }}>Devices</h2>
        {props.mayRegister && <button onClick={() => props.navigate('/devices/new')}>Register a device</button>}
      </div>
      <ErrorNotice error={error} />
      {!devices && error === undefined && <p className="muted">Loading…</p>}
      {devices && devices.length === 0 && (
        <p className="muted">
          {props.mayRegister
            ? 'No devices yet. Register one to get its certificate.'
            : 'No devices yet. An operator or admin registers them.'}
        </p>
      )}
      {devices && devices.length > 0 && (
        <table data-testid="device-list">
          <thead>
            <tr>
              <th>Device</th>
              <th>Status</th>
              <th>Last values</th>
              <th>Last reading</th>
            </tr>
          </thead>
          <tbody>
            {devices.map((d) => (
              <tr key={d.deviceId} data-testid={`device-row-${d.deviceId}`}>
                <td>
                  <RouteLink to={`/devices/${encodeURIComponent(d.deviceId)}`} navigate={props.navigate}>
                    {d.name || d.deviceId}
                  </RouteLink>
                  <div className="muted">{d.deviceId}</div>
                </td>
                <td>
                  <span className={`status ${d.online ? 'online' : ''}`} />
                  {d.online ? 'online' : 'offline'}
                </td>
                <td>
                  {d.latest
                    ? Object.entries(d.latest.values)
                        .map(([k, v]) => `${metricLabel(k, display[k])} ${formatValue(v, display[k])}`)
                        .join(' · ')
                    : '—'}
                </td>
                <td>{d.latest ? new Date(d.latest.ts).toLocaleString() : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
