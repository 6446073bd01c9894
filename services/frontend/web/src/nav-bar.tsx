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
import { useUnreadAlarms } from './use-unread-alarms.ts';

interface NavEntry {
  readonly to: string;
  readonly label: string;
  /** Shown only to users with this permission. */
  readonly permission?: Permission;
}

const entries: readonly NavEntry[] = [
  { to: appPaths.overview, label: 'Overview' },
  { to: appPaths.devices, label: 'Devices' },
  { to: '/dashboards', label: 'Dashboards', permission: 'keepDashboards' },
  { to: '/alarms', label: 'Alarms', permission: 'readAlarms' },
  { to: '/rules', label: 'Rules', permission: 'readRules' },
  { to: '/notifications', label: 'Notifications', permission: 'readAlarms' },
  { to: appPaths.dataLife, label: 'Data', permission: 'readDataUsage' },
  { to: '/dead-letters', label: 'Dead letters', permission: 'readDeadLetters' },
  // Administration: users and their roles.
  { to: '/users', label: 'Users', permission: 'manageUsers' },
];

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
            .filter((e) => e.permission === undefined || props.may(e.permission))
            .map((e) => (
              <span key={e.to} className={props.path === e.to ? 'current' : undefined}>
                <RouteLink to={e.to} navigate={navigate} current={props.path === e.to}>
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
