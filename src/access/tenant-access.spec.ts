import type { Principal } from '../auth/principal';
import type { FronteggRole, FronteggUser } from '../identity/frontegg-api.types';
import {
  assertMfaResetStaysInTenant,
  isEnvironmentWide,
  memberOfCallerTenant,
  membershipInCallerTenant,
  roleOwnedByCaller,
  rolesVisibleTo,
} from './tenant-access';

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

  describe('roleOwnedByCaller', () => {
    const roles = [role('env', ''), role('mine', 'tenant-acme'), role('theirs', 'tenant-globex')];

    it("answers the caller's own tenant role", () => {
      expect(roleOwnedByCaller(caller, roles, 'mine').id).toBe('mine');
    });

    it("answers 404 alike for another tenant's role and a missing one", () => {
      expect(() => roleOwnedByCaller(caller, roles, 'theirs')).toThrow(expect.objectContaining({ status: 404, detail: 'role not found' }));
      expect(() => roleOwnedByCaller(caller, roles, 'nope')).toThrow(expect.objectContaining({ status: 404, detail: 'role not found' }));
    });

    it('answers 403 for an environment-wide role', () => {
      expect(() => roleOwnedByCaller(caller, roles, 'env')).toThrow(expect.objectContaining({ status: 403 }));
    });
  });

  describe('member rules', () => {
    const member = (tenantIds: string[], extra: Partial<FronteggUser> = {}) =>
      ({ tenantId: tenantIds[0], tenantIds, roles: [], tenants: tenantIds.map((tenantId) => ({ tenantId, roles: [] })), ...extra }) as FronteggUser;

    it('finds members of the caller tenant only', () => {
      expect(memberOfCallerTenant(caller, member(['tenant-acme'])).tenantId).toBe('tenant-acme');
      expect(() => memberOfCallerTenant(caller, member(['tenant-globex']))).toThrow(expect.objectContaining({ status: 404 }));
    });

    it('allows an MFA reset only for users of the caller tenant alone, never a super-user', () => {
      expect(() => assertMfaResetStaysInTenant(caller, member(['tenant-acme']))).not.toThrow();
      expect(() => assertMfaResetStaysInTenant(caller, member(['tenant-acme', 'tenant-globex']))).toThrow(expect.objectContaining({ status: 403 }));
      expect(() => assertMfaResetStaysInTenant(caller, member(['tenant-acme'], { superUser: true }))).toThrow(expect.objectContaining({ status: 403 }));
      // A membership listed only in `tenants` counts too.
      const hidden = member(['tenant-acme'], { tenants: [{ tenantId: 'tenant-globex', roles: [] }] });
      expect(() => assertMfaResetStaysInTenant(caller, hidden)).toThrow(expect.objectContaining({ status: 403 }));
    });
  });
});
