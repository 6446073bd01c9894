/**
 * Every page behind the sign-in, each its own chunk: the app shell loads only what the first screen
 * needs (the build checks its size, bundle-budget.ts), and a page's libraries (uPlot, mqtt.js, the
 * Cognito Identity client) load with the first page that uses them.
 */
import { lazy, type LazyExoticComponent, type ReactNode } from 'react';

/** `lazy` for a module's named export (React.lazy wants a default one). */
function page<P extends object>(load: () => Promise<(props: P) => ReactNode>): LazyExoticComponent<(props: P) => ReactNode> {
  return lazy(async () => ({ default: await load() }));
}

export const DevicesPage = page(async () => (await import('./pages/devices-page.tsx')).default);
export const RegisterDevicePage = page(async () => (await import('./pages/register-device-page.tsx')).RegisterDevicePage);
export const ImportDevicesPage = page(async () => (await import('./pages/import-devices-page.tsx')).ImportDevicesPage);
export const DevicePage = page(async () => (await import('./pages/device-page.tsx')).DevicePage);
export const AlarmsPage = page(async () => (await import('./pages/alarms-page.tsx')).AlarmsPage);
export const RulesPage = page(async () => (await import('./pages/rules-page.tsx')).RulesPage);
export const NotificationsPage = page(async () => (await import('./pages/notifications-page.tsx')).NotificationsPage);
export const DataPage = page(async () => (await import('./pages/data-page.tsx')).DataPage);
export const DashboardsPage = page(async () => (await import('./pages/dashboards-page.tsx')).default);
export const DashboardPage = page(async () => (await import('./pages/dashboard-page.tsx')).default);
export const OverviewPage = page(async () => (await import('./pages/overview-page.tsx')).default);
export const AdminPage = page(async () => (await import('./pages/admin-page.tsx')).default);
