/**
 * Notifications: the in-app feed of alarm changes (newest first, unread ones marked) with "mark all
 * read"; for admins, the channels that receive them and, locally, the mailbox.
 */
import type { AlarmEvent } from '@fleet/core';
import { useCallback, useState } from 'react';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { shownTime } from '../format.ts';
import { usePolled } from '../polling.ts';
import { LocalMailboxPanel } from './local-mailbox-panel.tsx';
import { NotificationChannelsPanel } from './notification-channels-panel.tsx';

function FeedEntry(props: { event: AlarmEvent; unread: boolean }) {
  const { event, unread } = props;
  return (
    <li data-testid="alarm-event" className={unread ? 'unread' : undefined}>
      {unread && <strong>new </strong>}
      <span className={`badge severity-${event.alarm.severity}`}>{event.alarm.severity}</span> {event.alarm.name} on {event.alarm.deviceId}:{' '}
      {event.type} by {event.by}, {shownTime(event.at)}
      <div className="muted">{event.alarm.reason}</div>
    </li>
  );
}

function AlarmFeedPanel(props: { api: Api }) {
  const { api } = props;
  const load = useCallback(() => api.alarmEvents({ limit: '50' }), [api]);
  const { value, error, refresh } = usePolled(load);
  const [markError, setMarkError] = useState<unknown>();
  const newest = value?.events[0]?.at;
  return (
    <div className="card">
      <h2>Alarm notifications</h2>
      <ErrorNotice error={error ?? markError} />
      {value && (
        <p>
          <span data-testid="unread-count">{value.unread}</span> unread{' '}
          {newest && value.unread > 0 && (
            <button
              className="secondary"
              onClick={() => {
                setMarkError(undefined);
                api.markAlarmEventsRead(newest).then(() => void refresh(), setMarkError);
              }}
            >
              Mark all read
            </button>
          )}
        </p>
      )}
      {value && value.events.length === 0 && <p className="muted">No alarm has changed yet.</p>}
      {value && (
        <ul>
          {value.events.map((e, i) => (
            <FeedEntry key={e.eventId} event={e} unread={i < value.unread} />
          ))}
        </ul>
      )}
    </div>
  );
}

export function NotificationsPage(props: { api: Api; mayManageChannels: boolean }) {
  return (
    <>
      <AlarmFeedPanel api={props.api} />
      {props.mayManageChannels && <NotificationChannelsPanel api={props.api} />}
      {props.mayManageChannels && <LocalMailboxPanel api={props.api} />}
    </>
  );
}
