import { can, type Permission, type Role } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { adminSectionFor, isAdminPath } from './admin-sections.ts';

const as = (role: Role) => (p: Permission) => can(role, p);

describe('the Admin area sections', () => {
  it('shows admins every section, and /admin opens the first', () => {
    expect(
      ['/admin/users', '/admin/dead-letters', '/admin/revoked', '/admin/audit'].map((p) => adminSectionFor(p, as('admin'))?.path),
    ).toEqual(['/admin/users', '/admin/dead-letters', '/admin/revoked', '/admin/audit']);
    expect(adminSectionFor('/admin', as('admin'))?.path).toBe('/admin/users');
  });

  it('leads the old paths to their new place', () => {
    expect(adminSectionFor('/users', as('admin'))?.path).toBe('/admin/users');
    expect(adminSectionFor('/dead-letters', as('operator'))?.path).toBe('/admin/dead-letters');
    expect(isAdminPath('/users') && isAdminPath('/admin/audit') && !isAdminPath('/administrator')).toBe(true);
  });

  it('hides from operators the users and the audit trail, and everything from viewers', () => {
    expect(adminSectionFor('/admin/audit', as('operator'))).toBeUndefined();
    expect(adminSectionFor('/admin/users', as('operator'))).toBeUndefined();
    expect(adminSectionFor('/admin', as('operator'))?.path).toBe('/admin/dead-letters');
    expect(adminSectionFor('/admin', as('viewer'))).toBeUndefined();
    expect(adminSectionFor('/admin/revoked', as('viewer'))).toBeUndefined();
    expect(adminSectionFor('/admin/provisioning', as('viewer'))).toBeUndefined();
  });

  it('shows operators and admins the Provisioning section', () => {
    expect(adminSectionFor('/admin/provisioning', as('operator'))?.label).toBe('Provisioning');
    expect(adminSectionFor('/admin/provisioning', as('admin'))?.label).toBe('Provisioning');
  });
});
