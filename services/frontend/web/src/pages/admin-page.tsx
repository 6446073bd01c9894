/**
 * The Admin area (`/admin/...`): users and roles, dead letters, revoked devices, provisioning by
 * claim and the audit trail, one section at a time, each listed only for the roles that may use it. The old paths
 * (`/users`, `/dead-letters`) show their section and put its new path in the address bar.
 */
import type { Permission } from '@fleet/core';
import { useEffect } from 'react';
import type { Api, SignedInUser } from '../api.ts';
import { RouteLink } from '../form-kit.tsx';
import { adminSectionFor, adminSections } from './admin-sections.ts';
import AuditPage from './audit-page.tsx';
import { DeadLettersPage } from './dead-letters-page.tsx';
import RevokedDevicesPage from './revoked-devices-page.tsx';
import ProvisioningPage from './provisioning-page.tsx';
import { UsersPage } from './users-page.tsx';

export interface AdminPageProps {
  readonly api: Api;
  readonly path: string;
  readonly navigate: (to: string) => void;
  readonly may: (p: Permission) => boolean;
  readonly me: SignedInUser | undefined;
}

export default function AdminPage(props: AdminPageProps) {
  const { api, path, navigate, may, me } = props;
  const section = adminSectionFor(path, may);
  useEffect(() => {
    // An old path or /admin: the address bar names the section shown, as a redirect would.
    if (section && section.path !== path) window.history.replaceState(null, '', section.path);
  }, [section, path]);

  if (!section) {
    return (
      <div className="card">
        <h2>Admin</h2>
        <p data-testid="admin-refused">{me ? `Your role (${me.role}) may not use this part of the Admin area.` : 'Loading your role…'}</p>
      </div>
    );
  }
  let content;
  if (section.path === '/admin/users') content = <UsersPage api={api} me={me} />;
  else if (section.path === '/admin/dead-letters') content = <DeadLettersPage api={api} mayReplay={may('replayDeadLetters')} />;
  else if (section.path === '/admin/revoked') content = <RevokedDevicesPage api={api} />;
  else if (section.path === '/admin/provisioning') content = <ProvisioningPage api={api} />;
  else content = <AuditPage api={api} />;
  return (
    <>
      <nav aria-label="Admin" className="admin-sections">
        {adminSections
          .filter((s) => may(s.permission))
          .map((s) => (
            <span key={s.path} className={s.path === section.path ? 'current' : undefined}>
              <RouteLink to={s.path} navigate={navigate}>
                {s.label}
              </RouteLink>
            </span>
          ))}
      </nav>
      {content}
    </>
  );
}
