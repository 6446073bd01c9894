/**
 * The app's navigation: one link per area the user's role may see, the unread alarm count on
 * Notifications. It wraps onto more lines on a phone-width screen (styles.css); the full app shell
 * is another issue's.
 */
import type { Permission } from '@fleet/core';
import type { Api } from './api.ts';
import { RouteLink } from './form-kit.tsx';
import { dataPagePath } from './pages/data-page.tsx';
import { adminPath, adminPermissions, isAdminPath } from './pages/admin-sections.ts';
import { useUnreadAlarms } from './use-unread-alarms.ts';

interface NavEntry {
  readonly to: string;
  readonly label: string;
  /** Shown only to users with one of these permissions. */
  readonly permissions?: readonly Permission[];
  /** Whether a path is this entry's (its sub-pages too). @default the path is `to` */
  readonly owns?: (path: string) => boolean;
}

const entries: readonly NavEntry[] = [
  { to: '/', label: 'Devices' },
  { to: '/alarms', label: 'Alarms', permissions: ['readAlarms'] },
  { to: '/rules', label: 'Rules', permissions: ['readRules'] },
  { to: '/notifications', label: 'Notifications', permissions: ['readAlarms'] },
  { to: dataPagePath, label: 'Data', permissions: ['readDataUsage'] },
  // Administration: users and roles, dead letters, revoked devices, the audit trail (pages/admin-sections.ts).
  { to: adminPath, label: 'Admin', permissions: adminPermissions, owns: isAdminPath },
];

export function NavBar(props: { api: Api; path: string; navigate: (to: string) => void; may: (p: Permission) => boolean }) {
  const unread = useUnreadAlarms(props.api, props.may('readAlarms'));
  return (
    <nav aria-label="Main">
      {entries
        .filter((e) => e.permissions === undefined || e.permissions.some((p) => props.may(p)))
        .map((e) => (
          <span key={e.to} className={(e.owns ? e.owns(props.path) : props.path === e.to) ? 'current' : undefined}>
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
