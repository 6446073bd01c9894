/**
 * Notification channels (admins): webhooks and e-mail addresses subscribed to the alarm
 * notifications topic, pending until their owner confirms; an optional minimum severity.
 */
import { alarmSeverities, type AlarmSeverity, type ChannelProtocol } from '@fleet/core';
import { useCallback, useState } from 'react';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { FormError, useSubmit } from '../form-kit.tsx';
import { usePolled } from '../polling.ts';

const anyPending = (list: { channels: { status: string }[] }) => list.channels.some((c) => c.status === 'pending');

function AddChannelForm(props: { api: Api; onAdded: () => void }) {
  const [protocol, setProtocol] = useState<ChannelProtocol>('email');
  const [endpoint, setEndpoint] = useState('');
  const [minSeverity, setMinSeverity] = useState<AlarmSeverity | ''>('');
  const { error, busy, run } = useSubmit();
  return (
    <>
      <form
        className="inline"
        onSubmit={run(async () => {
          await props.api.addChannel({ protocol, endpoint: endpoint.trim(), ...(minSeverity ? { filter: { minSeverity } } : {}) });
          setEndpoint('');
          props.onAdded();
        })}
      >
        <select
          aria-label="Channel kind"
          name="channel-protocol"
          value={protocol}
          onChange={(e) => setProtocol(e.target.value as ChannelProtocol)}
        >
          <option value="email">E-mail</option>
          <option value="https">Webhook (HTTPS)</option>
          <option value="http">Webhook (HTTP)</option>
        </select>
        <input
          aria-label={protocol === 'email' ? 'E-mail address' : 'Webhook URL'}
          name="channel-endpoint"
          type={protocol === 'email' ? 'email' : 'url'}
          placeholder={protocol === 'email' ? 'ops@example.com' : `${protocol}://hooks.example.com/fleet`}
          value={endpoint}
          onChange={(e) => setEndpoint(e.target.value)}
          required
        />
        <select
          aria-label="Minimum severity"
          name="channel-min-severity"
          value={minSeverity}
          onChange={(e) => setMinSeverity(e.target.value as AlarmSeverity | '')}
        >
          <option value="">every severity</option>
          {alarmSeverities.map((s) => (
            <option key={s} value={s}>
              {s} or worse
            </option>
          ))}
        </select>
        <button type="submit" disabled={busy}>
          Add channel
        </button>
      </form>
      <FormError error={error} />
    </>
  );
}

export function NotificationChannelsPanel(props: { api: Api }) {
  const { api } = props;
  const load = useCallback(() => api.channels(), [api]);
  const { value, error, refresh } = usePolled(load, anyPending);
  const [removeError, setRemoveError] = useState<unknown>();
  return (
    <div className="card">
      <h2>Notification channels</h2>
      <p className="muted">
        Every alarm change is sent to these. A new channel stays pending until its owner confirms the message it gets.
      </p>
      <AddChannelForm api={api} onAdded={() => void refresh()} />
      <ErrorNotice error={error ?? removeError} />
      {value && value.channels.length === 0 && <p className="muted">No channel yet.</p>}
      {value && value.channels.length > 0 && (
        <table data-testid="channel-list">
          <thead>
            <tr>
              <th>Kind</th>
              <th>Address</th>
              <th>Status</th>
              <th>Severity</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {value.channels.map((c) => (
              <tr key={c.id}>
                <td>{c.protocol === 'email' ? 'e-mail' : 'webhook'}</td>
                <td>{c.endpoint}</td>
                <td>
                  <span className={`badge ${c.status === 'pending' ? 'pending' : 'done'}`}>{c.status}</span>
                </td>
                <td>{c.filter?.minSeverity ? `${c.filter.minSeverity} or worse` : 'every'}</td>
                <td>
                  {c.status === 'confirmed' && (
                    <button
                      className="danger"
                      aria-label={`Delete the channel ${c.endpoint}`}
                      onClick={() => {
                        setRemoveError(undefined);
                        api.removeChannel(c.id).then(() => void refresh(), setRemoveError);
                      }}
                    >
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
