/** The Fleet web app: sign-up / sign-in, device list, registration, device page, alarms, rules, notifications, data (retention, cost, exports, imports), dead letters, users (admins). */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { RuntimeConfig } from './config.ts';
import { createAuth, type Session } from './auth.ts';
import { createApi } from './api.ts';
import { SignInPage, SignUpPage } from './pages/auth-pages.tsx';
import {
  AdminPage,
  AlarmsPage,
  DashboardPage,
  DashboardsPage,
  DataPage,
  DevicePage,
  DevicesPage,
  OverviewPage,
  NotificationsPage,
  RegisterDevicePage,
  ImportDevicesPage,
  RulesPage,
} from './lazy-pages.ts';
import { appPaths } from './app-paths.ts';
import { PageFrame } from './page-frame.tsx';
import { isAdminPath } from './pages/admin-sections.ts';
import { RouteLink } from './form-kit.tsx';
import { NavBar } from './nav-bar.tsx';
import { useMe } from './use-me.ts';

const dashboardMatch = (path: string) => /^\/dashboards\/([^/]+)$/.exec(path)?.[1];

/** The route (path) and its query string (`?status=offline`, the device list's state), kept with the browser's history. */
export function usePath(): [string, (to: string) => void, string] {
  const [location, setLocation] = useState({ path: window.location.pathname, search: window.location.search });
  useEffect(() => {
    const onPop = () => setLocation({ path: window.location.pathname, search: window.location.search });
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((to: string) => {
    window.history.pushState(null, '', to);
    setLocation({ path: window.location.pathname, search: window.location.search });
  }, []);
  return [location.path, navigate, location.search];
}

export function App({ config }: { config: RuntimeConfig }) {
  const auth = useMemo(() => createAuth(config), [config]);
  const [session, setSession] = useState<Session | undefined>(() => auth.current());
  const [path, navigate, search] = usePath();
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
  useEffect(() => {
    if (!session) auth.preload();
  }, [auth, session]);

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
  else if (path === appPaths.importDevices) page = <ImportDevicesPage api={api} navigate={navigate} />;
  else if (isAdminPath(path)) page = <AdminPage api={api} path={path} navigate={navigate} may={may} me={me} />;
  else if (path === '/alarms') page = <AlarmsPage api={api} mayManage={may('manageAlarms')} />;
  else if (path === '/rules') page = <RulesPage api={api} mayManage={may('manageRules')} />;
  else if (path === '/notifications') page = <NotificationsPage api={api} mayManageChannels={may('manageNotifications')} />;
  // Not `/data`: the gateway routes that prefix to the Data Service, so a reload there would never reach the app.
  else if (path === appPaths.dataLife)
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
  else if (path === '/dashboards') page = <DashboardsPage api={api} navigate={navigate} />;
  else if (dashboardMatch(path)) page = <DashboardPage api={api} id={decodeURIComponent(dashboardMatch(path) ?? '')} navigate={navigate} />;
  else if (deviceMatch?.[1])
    page = (
      <DevicePage
        api={api}
        auth={auth}
        config={config}
        deviceId={decodeURIComponent(deviceMatch[1])}
        navigate={navigate}
        mayManage={may('manageDevices')}
        mayEditMetrics={may('manageMetricSettings')}
        myUsername={me?.username}
      />
    );
  else if (path === appPaths.devices) page = <DevicesPage api={api} navigate={navigate} may={may} search={search} />;
  else page = <OverviewPage api={api} navigate={navigate} may={may} />;

  return (
    <>
      <header>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <RouteLink to="/" navigate={navigate}>
          Fleet
        </RouteLink>
        <NavBar api={api} path={path} navigate={navigate} may={may}>
          <span className="muted who" data-testid="signed-in-as" title={session.email}>
            {session.email}
          </span>
          {me && (
            <span className="badge" data-testid="role">
              {me.role}
            </span>
          )}
          {me?.deviceAccess.kind === 'groups' && (
            <span className="badge" data-testid="device-access" title="You see, read and command only the devices in these thing groups">
              Groups: {me.deviceAccess.groups.join(', ')}
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
        </NavBar>
      </header>
      <main id="main">
        {/* A key per path: a page that failed to load is tried again on the next navigation. */}
        <PageFrame key={path}>{page}</PageFrame>
      </main>
    </>
  );
}
