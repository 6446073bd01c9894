/**
 * The app's navigation: one link per area the user's role may see, the unread alarm count on
 * Notifications. On a phone-width screen it folds behind a Menu button (styles.css) that closes
 * again when a link is followed.
 */
import { useState, type ReactNode } from 'react';
import type { Permission } from '@fleet/core';
import type { Api } from './api.ts';
import { appPaths } from './app-paths.ts';
import { RouteLink } from './form-kit.tsx';
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
  { to: appPaths.overview, label: 'Overview' },
  { to: appPaths.devices, label: 'Devices', owns: (path) => path === appPaths.devices || path.startsWith(`${appPaths.devices}/`) },
  { to: '/dashboards', label: 'Dashboards', permissions: ['keepDashboards'], owns: (path) => path.startsWith('/dashboards') },
  { to: '/alarms', label: 'Alarms', permissions: ['readAlarms'] },
  { to: '/rules', label: 'Rules', permissions: ['readRules'] },
  { to: '/notifications', label: 'Notifications', permissions: ['readAlarms'] },
  { to: appPaths.dataLife, label: 'Data', permissions: ['readDataUsage'] },
  // Administration: users and roles, dead letters, revoked devices, the audit trail (pages/admin-sections.ts).
  { to: adminPath, label: 'Admin', permissions: adminPermissions, owns: isAdminPath },
];

const isCurrent = (entry: NavEntry, path: string) => (entry.owns ? entry.owns(path) : path === entry.to);

/** `children`: the signed-in user's part of the header (who, role, sign out), folded with the links on a phone. */
export function NavBar(props: {
  api: Api;
  path: string;
  navigate: (to: string) => void;
  may: (p: Permission) => boolean;
  children?: ReactNode;
}) {
  const unread = useUnreadAlarms(props.api, props.may('readAlarms'));
  const [open, setOpen] = useState(false);
  const navigate = (to: string) => {
    setOpen(false);
    props.navigate(to);
  };
  return (
    <>
      <button className="menu-toggle secondary" aria-expanded={open} aria-controls="main-menu" onClick={() => setOpen((o) => !o)}>
        Menu
      </button>
      <div id="main-menu" className="menu-panel" data-open={open}>
        <nav aria-label="Main">
          {entries
            .filter((e) => e.permissions === undefined || e.permissions.some((p) => props.may(p)))
            .map((e) => (
              <span key={e.to} className={isCurrent(e, props.path) ? 'current' : undefined}>
                <RouteLink to={e.to} navigate={navigate} current={isCurrent(e, props.path)}>
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
        <span className="spacer" />
        {props.children}
      </div>
    </>
  );
}
