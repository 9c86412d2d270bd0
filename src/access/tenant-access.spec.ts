import type { Principal } from '../auth/principal';
import type { FronteggRole, FronteggUser } from '../identity/frontegg-api.types';
import { isEnvironmentWide, membershipInCallerTenant, rolesVisibleTo } from './tenant-access';

const caller: Principal = {
  userId: 'user-alice',
  tenantId: 'tenant-acme',
  tenantIds: ['tenant-acme'],
  roles: [],
  permissions: [],
  type: 'userToken',
};

const role = (id: string, tenantId: string | null): FronteggRole =>
  ({ id, tenantId, key: id, name: id, level: 1, permissions: [] }) as unknown as FronteggRole;

describe('tenant access', () => {
  it('treats empty, null and missing tenants as environment-wide', () => {
    expect(isEnvironmentWide(role('a', ''))).toBe(true);
    expect(isEnvironmentWide(role('b', null))).toBe(true);
    expect(isEnvironmentWide({} as FronteggRole)).toBe(true);
    expect(isEnvironmentWide(role('c', 'tenant-acme'))).toBe(false);
  });

  it("shows the caller's tenant roles and environment-wide roles, never another tenant's", () => {
    const roles = [role('env', ''), role('mine', 'tenant-acme'), role('theirs', 'tenant-globex'), role('null', null)];
    expect(rolesVisibleTo(caller, roles).map((r) => r.id)).toEqual(['env', 'mine', 'null']);
  });

  it("finds the user's membership in the caller's tenant only", () => {
    const acmeRoles = [role('mine', 'tenant-acme')];
    const user = {
      tenantId: 'tenant-globex',
      roles: [],
      tenants: [
        { tenantId: 'tenant-globex', roles: [role('theirs', 'tenant-globex')] },
        { tenantId: 'tenant-acme', roles: acmeRoles },
      ],
    } as unknown as FronteggUser;
    expect(membershipInCallerTenant(caller, user)?.roles).toBe(acmeRoles);
    expect(membershipInCallerTenant({ ...caller, tenantId: 'tenant-other' }, user)).toBeUndefined();
  });

  it('falls back to the top-level tenant when the answer lists no tenants', () => {
    const user = { tenantId: 'tenant-acme', roles: [role('mine', 'tenant-acme')] } as unknown as FronteggUser;
    expect(membershipInCallerTenant(caller, user)?.roles.map((r) => r.id)).toEqual(['mine']);
    expect(membershipInCallerTenant(caller, { ...user, tenantId: 'tenant-globex' })).toBeUndefined();
  });
});
