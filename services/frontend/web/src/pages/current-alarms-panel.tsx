/**
 * Current alarms (ACTIVE and ACKNOWLEDGED, one per device and definition): status, severity,
 * device, reason and since when; acknowledge and clear for users who manage alarms, naming the
 * occurrence shown so that a newer one is never acted on by mistake; and each alarm's history.
 */
import { useAction } from '../use-action.ts';
import type { Alarm } from '@fleet/core';
import { useCallback, useState } from 'react';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { shownTime, timeAgo } from '../format.ts';
import { pollMs, usePolled } from '../polling.ts';

const hasActive = (page: { alarms: Alarm[] }) => page.alarms.some((a) => a.status === 'ACTIVE');
const alarmKey = (a: Alarm) => `${a.definitionId}/${a.deviceId}`;

function AlarmHistory(props: { api: Api; alarm: Alarm }) {
  const { api, alarm } = props;
  const load = useCallback(
    () => api.alarmEvents({ definitionId: alarm.definitionId, deviceId: alarm.deviceId, limit: '20' }),
    [api, alarm.definitionId, alarm.deviceId],
  );
  const { value, error } = usePolled(load);
  return (
    <tr>
      <td colSpan={6}>
        <ErrorNotice error={error} />
        {value && (
          <ol data-testid={`alarm-history-${alarmKey(alarm)}`}>
            {value.events.map((e) => (
              <li key={e.eventId}>
                {shownTime(e.at)}: {e.type} by {e.by} (occurrence {e.alarm.occurrence})
              </li>
            ))}
          </ol>
        )}
      </td>
    </tr>
  );
}

export function CurrentAlarmsPanel(props: { api: Api; mayManage: boolean }) {
  const { api, mayManage } = props;
  const load = useCallback(() => api.alarms({ status: 'ACTIVE,ACKNOWLEDGED' }), [api]);
  const { value, error, refresh } = usePolled(load, hasActive);
  const [shownHistory, setShownHistory] = useState<string>();
  const { act, error: actionError } = useAction(refresh);

  return (
    <div className="card">
      <h2>Current alarms</h2>
      <p className="muted">Refreshed every {pollMs.idle / 1000} s, faster while an alarm is active.</p>
      <ErrorNotice error={error ?? actionError} />
      {value && value.alarms.length === 0 && <p className="muted">No alarm is active.</p>}
      {value && value.alarms.length > 0 && (
        <div className="table-scroll">
          <table data-testid="current-alarms">
            <thead>
              <tr>
                <th>Status</th>
                <th>Severity</th>
                <th>Device</th>
                <th>Alarm and reason</th>
                <th>Since</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {value.alarms.flatMap((a) => [
                <tr key={alarmKey(a)}>
                  <td>{a.status}</td>
                  <td>
                    <span className={`badge severity-${a.severity}`}>{a.severity}</span>
                  </td>
                  <td>{a.deviceId}</td>
                  <td>
                    <strong>{a.name}</strong>
                    <div className="muted">{a.reason}</div>
                  </td>
                  <td title={shownTime(a.activeAt)}>{timeAgo(a.activeAt)}</td>
                  <td>
                    <div className="actions-cell">
                      {mayManage && a.status === 'ACTIVE' && (
                        <button
                          onClick={() => void act(() => api.acknowledgeAlarm(a.definitionId, a.deviceId, { occurrence: a.occurrence }))()}
                          aria-label={`Acknowledge ${a.name} on ${a.deviceId}`}
                        >
                          Acknowledge
                        </button>
                      )}
                      {mayManage && (
                        <button
                          className="secondary"
                          onClick={() => void act(() => api.clearAlarm(a.definitionId, a.deviceId, { occurrence: a.occurrence }))()}
                          aria-label={`Clear ${a.name} on ${a.deviceId}`}
                        >
                          Clear
                        </button>
                      )}
                      <button
                        className="secondary"
                        aria-expanded={shownHistory === alarmKey(a)}
                        onClick={() => setShownHistory(shownHistory === alarmKey(a) ? undefined : alarmKey(a))}
                        aria-label={`History of ${a.name} on ${a.deviceId}`}
                      >
                        History
                      </button>
                    </div>
                  </td>
                </tr>,
                ...(shownHistory === alarmKey(a) ? [<AlarmHistory key={`${alarmKey(a)}/history`} api={api} alarm={a} />] : []),
              ])}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
