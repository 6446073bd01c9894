/**
 * The Admin area's sections: where each lives, who may see it, and the old paths that now lead
 * there. The navigation shows Admin to anyone who may see one section; each section shows only to
 * the roles whose permission it needs (the API refuses the others anyway).
 */
import type { Permission } from '@fleet/core';

export interface AdminSection {
  readonly path: string;
  readonly label: string;
  readonly permission: Permission;
}

export const adminPath = '/admin';

export const adminSections: readonly AdminSection[] = [
  { path: '/admin/users', label: 'Users and roles', permission: 'manageUsers' },
  { path: '/admin/dead-letters', label: 'Dead letters', permission: 'readDeadLetters' },
  { path: '/admin/revoked', label: 'Revoked devices', permission: 'manageDevices' },
  { path: '/admin/provisioning', label: 'Provisioning', permission: 'manageDevices' },
  { path: '/admin/audit', label: 'Audit trail', permission: 'readAudit' },
];

/** Paths of the screens before the Admin area: bookmarks keep working. */
export const legacyAdminPaths: Readonly<Record<string, string>> = {
  '/users': '/admin/users',
  '/dead-letters': '/admin/dead-letters',
};

/** Whether a path belongs to the Admin area (its own paths or the old ones). */
export function isAdminPath(path: string): boolean {
  return path === adminPath || path.startsWith(`${adminPath}/`) || path in legacyAdminPaths;
}

/** The permissions that open the Admin area: any one of them. */
export const adminPermissions: readonly Permission[] = adminSections.map((s) => s.permission);

/**
 * The section a path shows for a user: the old paths lead to their new place; `/admin` to the first
 * section the user may see; undefined when the user may see none (or the path names none).
 */
export function adminSectionFor(path: string, may: (p: Permission) => boolean): AdminSection | undefined {
  const visible = adminSections.filter((s) => may(s.permission));
  const target = legacyAdminPaths[path] ?? path;
  if (target === adminPath) return visible[0];
  return visible.find((s) => s.path === target);
}
