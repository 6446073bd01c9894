/**
 * The app's navigation: one link per area the user's role may see, the unread alarm count on
 * Notifications. It wraps onto more lines on a phone-width screen (styles.css); the full app shell
 * is another issue's.
 */
import type { Permission } from '@fleet/core';
import type { Api } from './api.ts';
import { RouteLink } from './form-kit.tsx';
import { dataPagePath } from './pages/data-page.tsx';
import { useUnreadAlarms } from './use-unread-alarms.ts';

interface NavEntry {
  readonly to: string;
  readonly label: string;
  /** Shown only to users with this permission. */
  readonly permission?: Permission;
}

const entries: readonly NavEntry[] = [
  { to: '/devices', label: 'Devices' },
  { to: '/alarms', label: 'Alarms', permission: 'readAlarms' },
  { to: '/rules', label: 'Rules', permission: 'readRules' },
  { to: '/notifications', label: 'Notifications', permission: 'readAlarms' },
  { to: dataPagePath, label: 'Data', permission: 'readDataUsage' },
  { to: '/dead-letters', label: 'Dead letters', permission: 'readDeadLetters' },
  // Administration: users and their roles.
  { to: '/users', label: 'Users', permission: 'manageUsers' },
];

export function NavBar(props: { api: Api; path: string; navigate: (to: string) => void; may: (p: Permission) => boolean }) {
  const unread = useUnreadAlarms(props.api, props.may('readAlarms'));
  return (
    <nav aria-label="Main">
      {entries
        .filter((e) => e.permission === undefined || props.may(e.permission))
        .map((e) => (
          <span key={e.to} className={props.path === e.to ? 'current' : undefined}>
            <RouteLink to={e.to} navigate={props.navigate}>
              {e.label}
            </RouteLink>
            {e.to === '/notifications' && unread > 0 && (
              <span className="badge unread" data-testid="unread-alarms" aria-label={`${unread} unread`}>
                {unread}
              </span>
            )}
          </span>
        ))}
    </nav>
  );
}
