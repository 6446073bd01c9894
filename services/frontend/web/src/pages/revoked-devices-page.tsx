/**
 * Revoked devices (admins and operators): what each device was (name, certificate, registration)
 * and who revoked it when, newest first. Their registry items, things and certificates are gone;
 * these records stay.
 */
import { useCallback, useEffect } from 'react';
import type { RevokedDevice } from '@fleet/core';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { StackedTable, Time, useCursorPages, type Column } from './stacked-table.tsx';

const columns: readonly Column<RevokedDevice>[] = [
  { label: 'Device', cell: (d) => d.deviceId },
  { label: 'Name', cell: (d) => d.name },
  { label: 'Revoked', cell: (d) => <Time iso={d.revokedAt} /> },
  { label: 'By', cell: (d) => d.revokedBy.email ?? d.revokedBy.username ?? '—' },
  { label: 'Registered', cell: (d) => <Time iso={d.registeredAt} /> },
  { label: 'Certificate', cell: (d) => `${d.certificateId.slice(0, 12)}…`, title: (d) => d.certificateId, className: 'mono' },
];

export default function RevokedDevicesPage(props: { api: Api }) {
  const { api } = props;
  const fetchPage = useCallback(
    async (cursor?: string) => {
      const page = await api.revokedDevices(cursor);
      return { items: page.devices, nextCursor: page.nextCursor };
    },
    [api],
  );
  const { items: devices, cursor, busy, error, load } = useCursorPages(fetchPage);
  useEffect(() => void load(), [load]);

  return (
    <div className="card">
      <h2>Revoked devices</h2>
      <ErrorNotice error={error} />
      {!devices && error === undefined && <p className="muted">Loading…</p>}
      {devices && devices.length === 0 && <p className="muted">No device has been revoked.</p>}
      {devices && devices.length > 0 && (
        <StackedTable
          label="Revoked devices list"
          testId="revoked-list"
          rowTestId="revoked-device"
          columns={columns}
          rows={devices}
          rowKey={(d) => `${d.revokedAt}#${d.deviceId}`}
        />
      )}
      {cursor && (
        <button className="secondary" disabled={busy} onClick={() => void load(cursor)}>
          More
        </button>
      )}
    </div>
  );
}
