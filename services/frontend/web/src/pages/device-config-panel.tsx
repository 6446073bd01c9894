/**
 * A device's configuration: each setting's desired and reported value and whether the device has
 * applied it yet (the shadow delta), with changing and removing settings for those who manage devices.
 */
import { useCallback, useState } from 'react';
import { deviceSettings } from '@fleet/core';
import type { Api, DeviceConfig } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { FormError, useSubmit } from '../form-kit.tsx';
import { shownValue, timeAgo, typedValue } from '../format.ts';
import { usePolled } from '../polling.ts';

const hasPending = (c: DeviceConfig) => Object.keys(c.pending).length > 0;

export function DeviceConfigPanel(props: { api: Api; deviceId: string; mayManage: boolean }) {
  const { api, deviceId } = props;
  const load = useCallback(() => api.config(deviceId), [api, deviceId]);
  const { value: config, error, refresh } = usePolled(load, hasPending);
  const [key, setKey] = useState('reportIntervalSeconds');
  const [text, setText] = useState('');
  const submit = useSubmit();

  const change = (desired: Record<string, unknown>) => async () => {
    // A merge of the keys changed, without expectedVersion: each report of the device moves the
    // shadow's version, so a lock would refuse most changes made while the device is busy.
    await api.changeConfig(deviceId, desired);
    await refresh();
  };
  const keys = config ? [...new Set([...Object.keys(config.desired), ...Object.keys(config.reported)])].sort() : [];

  return (
    <div className="card" data-testid="config-panel">
      <h3>Configuration</h3>
      <ErrorNotice error={error} />
      {config && (
        <p className="muted">
          version {config.version}
          {config.desiredAt && <> · changed {timeAgo(config.desiredAt)}</>}
          {config.reportedAt && <> · device reported {timeAgo(config.reportedAt)}</>}
        </p>
      )}
      {config && keys.length === 0 && <p className="muted">No settings yet.</p>}
      {keys.length > 0 && config && (
        <table>
          <thead>
            <tr>
              <th>Setting</th>
              <th>Desired</th>
              <th>Reported</th>
              <th>State</th>
              {props.mayManage && <th />}
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k} data-testid={`setting-${k}`}>
                <td>
                  <code>{k}</code>
                </td>
                <td data-testid={`desired-${k}`}>{shownValue(config.desired[k])}</td>
                <td data-testid={`reported-${k}`}>{shownValue(config.reported[k])}</td>
                <td data-testid={`state-${k}`}>
                  {k in config.pending ? (
                    <span className="badge pending">pending</span>
                  ) : k in config.desired ? (
                    <span className="badge done">applied</span>
                  ) : (
                    <span className="muted">reported only</span>
                  )}
                </td>
                {props.mayManage && (
                  <td>
                    {k in config.desired && (
                      <button className="secondary" onClick={(e) => void submit.run(change({ [k]: null }))(e)} disabled={submit.busy}>
                        Remove
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.mayManage && (
        <form className="inline" onSubmit={(e) => void submit.run(change({ [key]: typedValue(text) }))(e)} aria-label="Change a setting">
          <input aria-label="Setting" list="known-settings" value={key} onChange={(e) => setKey(e.target.value)} required maxLength={128} />
          <datalist id="known-settings">
            {Object.keys(deviceSettings).map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
          <input aria-label="Value" placeholder="value (JSON or text)" value={text} onChange={(e) => setText(e.target.value)} required />
          <button type="submit" disabled={submit.busy}>
            Set
          </button>
          <FormError error={submit.error} />
        </form>
      )}
    </div>
  );
}
