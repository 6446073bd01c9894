/** The Fleet web app: sign-up / sign-in, device list, registration, device page, alarms, rules, notifications, data (retention, cost, exports, imports), dead letters, users (admins). */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { RuntimeConfig } from './config.ts';
import { createAuth, type Session } from './auth.ts';
import { createApi } from './api.ts';
import { SignInPage, SignUpPage } from './pages/auth-pages.tsx';
import { DevicesPage } from './pages/devices-page.tsx';
import { RegisterDevicePage } from './pages/register-device-page.tsx';
import { DevicePage } from './pages/device-page.tsx';
import AdminPage from './pages/admin-page.tsx';
import { isAdminPath } from './pages/admin-sections.ts';
import { AlarmsPage } from './pages/alarms-page.tsx';
import { RulesPage } from './pages/rules-page.tsx';
import { NotificationsPage } from './pages/notifications-page.tsx';
import { DataPage, dataPagePath } from './pages/data-page.tsx';
import { RouteLink } from './form-kit.tsx';
import { NavBar } from './nav-bar.tsx';
import { useMe } from './use-me.ts';

export function usePath(): [string, (to: string) => void] {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((to: string) => {
    window.history.pushState(null, '', to);
    setPath(to);
  }, []);
  return [path, navigate];
}

export function App({ config }: { config: RuntimeConfig }) {
  const auth = useMemo(() => createAuth(config), [config]);
  const [session, setSession] = useState<Session | undefined>(() => auth.current());
  const [path, navigate] = usePath();
  const api = useMemo(
    () =>
      createApi(async () => {
        const current = auth.current();
        if (!current) throw new Error('not signed in');
        const next = await auth.fresh(current);
        if (next !== current) setSession(next);
        return next;
      }),
    [auth],
  );
  const { me, may } = useMe(api, auth, session, setSession);

  if (!session) {
    return (
      <>
        <header>
          <a href="/">Fleet</a>
        </header>
        <main>
          {path === '/signup' ? (
            <SignUpPage auth={auth} navigate={navigate} />
          ) : (
            <SignInPage auth={auth} navigate={navigate} onSignedIn={setSession} />
          )}
        </main>
      </>
    );
  }

  const deviceMatch = /^\/devices\/([^/]+)$/.exec(path);
  let page;
  if (path === '/devices/new') page = <RegisterDevicePage api={api} navigate={navigate} />;
  else if (isAdminPath(path)) page = <AdminPage api={api} path={path} navigate={navigate} may={may} me={me} />;
  else if (path === '/alarms') page = <AlarmsPage api={api} mayManage={may('manageAlarms')} />;
  else if (path === '/rules') page = <RulesPage api={api} mayManage={may('manageRules')} />;
  else if (path === '/notifications') page = <NotificationsPage api={api} mayManageChannels={may('manageNotifications')} />;
  // Not `/data`: the gateway routes that prefix to the Data Service, so a reload there would never reach the app.
  else if (path === dataPagePath)
    page = (
      <DataPage
        api={api}
        may={{
          manageRetention: may('manageRetention'),
          exportData: may('exportData'),
          importData: may('importData'),
          replayArchive: may('replayArchive'),
        }}
      />
    );
  else if (deviceMatch?.[1])
    page = (
      <DevicePage
        api={api}
        auth={auth}
        config={config}
        deviceId={decodeURIComponent(deviceMatch[1])}
        navigate={navigate}
        mayManage={may('manageDevices')}
        myUsername={me?.username}
      />
    );
  else page = <DevicesPage api={api} navigate={navigate} mayRegister={may('manageDevices')} />;

  return (
    <>
      <header>
        <RouteLink to="/" navigate={navigate}>
          Fleet
        </RouteLink>
        <NavBar api={api} path={path} navigate={navigate} may={may} />
        <span className="spacer" />
        <span className="muted" data-testid="signed-in-as">
          {session.email}
        </span>
        {me && (
          <span className="badge" data-testid="role">
            {me.role}
          </span>
        )}
        <button
          className="secondary"
          onClick={() => {
            auth.signOut();
            setSession(undefined);
            navigate('/');
          }}
        >
          Sign out
        </button>
      </header>
      <main>{page}</main>
    </>
  );
}
