/**
 * Revoked devices (admins and operators): what each device was (name, certificate, registration)
 * and who revoked it when, newest first. Their registry items, things and certificates are gone;
 * these records stay.
 */
import { useCallback, useEffect, useState } from 'react';
import type { RevokedDevice } from '@fleet/core';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';

export default function RevokedDevicesPage(props: { api: Api }) {
  const { api } = props;
  const [devices, setDevices] = useState<RevokedDevice[]>();
  const [cursor, setCursor] = useState<string>();
  const [error, setError] = useState<unknown>();

  const load = useCallback(
    async (after?: string) => {
      try {
        const page = await api.revokedDevices(after);
        setDevices((before) => (after ? [...(before ?? []), ...page.devices] : page.devices));
        setCursor(page.nextCursor);
      } catch (err) {
        setError(err);
      }
    },
    [api],
  );
  useEffect(() => void load(), [load]);

  return (
    <div className="card">
      <h2>Revoked devices</h2>
      <ErrorNotice error={error} />
      {!devices && error === undefined && <p className="muted">Loading…</p>}
      {devices && devices.length === 0 && <p className="muted">No device has been revoked.</p>}
      {devices && devices.length > 0 && (
        // Focusable, so a keyboard can scroll a table wider than a phone (WCAG 2.1.1).
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Revoked devices list">
          <table className="stacked" data-testid="revoked-list">
            <thead>
              <tr>
                <th>Device</th>
                <th>Name</th>
                <th>Revoked</th>
                <th>By</th>
                <th>Registered</th>
                <th>Certificate</th>
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => (
                <tr key={`${d.revokedAt}#${d.deviceId}`} data-testid="revoked-device">
                  <td data-label="Device">{d.deviceId}</td>
                  <td data-label="Name">{d.name}</td>
                  <td data-label="Revoked">
                    <time dateTime={d.revokedAt}>{new Date(d.revokedAt).toLocaleString()}</time>
                  </td>
                  <td data-label="By">{d.revokedBy.email ?? d.revokedBy.username ?? '—'}</td>
                  <td data-label="Registered">
                    <time dateTime={d.registeredAt}>{new Date(d.registeredAt).toLocaleString()}</time>
                  </td>
                  <td data-label="Certificate" className="mono" title={d.certificateId}>
                    {d.certificateId.slice(0, 12)}…
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button className="secondary" onClick={() => void load(cursor)}>
          More
        </button>
      )}
    </div>
  );
}
