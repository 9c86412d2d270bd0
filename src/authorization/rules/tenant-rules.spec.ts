import type { FronteggRole, FronteggUser } from '../../identity/frontegg-api.types';
import { isEnvironmentWide, membershipOfVisibleMember, roleOwnedBy, rolesNamedIn, rolesVisibleIn, tenantsOf, visibleMembershipIn } from './tenant-rules';

const role = (id: string, tenantId: string | null): FronteggRole =>
  ({ id, tenantId, key: id, name: id, level: 1, permissions: [] }) as unknown as FronteggRole;
const member = (tenantIds: string[], extra: Partial<FronteggUser> = {}) =>
  ({ tenantId: tenantIds[0], tenantIds, roles: [], tenants: tenantIds.map((tenantId) => ({ tenantId, roles: [] })), ...extra }) as FronteggUser;

describe('tenant rules', () => {
  it('treats empty, null and missing tenants as environment-wide', () => {
    expect(isEnvironmentWide(role('a', ''))).toBe(true);
    expect(isEnvironmentWide(role('b', null))).toBe(true);
    expect(isEnvironmentWide({} as FronteggRole)).toBe(true);
    expect(isEnvironmentWide(role('c', 'tenant-acme'))).toBe(false);
  });

  it("shows a tenant its own roles and environment-wide roles, never another tenant's", () => {
    const roles = [role('env', ''), role('mine', 'tenant-acme'), role('theirs', 'tenant-globex'), role('null', null)];
    expect(rolesVisibleIn('tenant-acme', roles).map((r) => r.id)).toEqual(['env', 'mine', 'null']);
  });

  describe('roleOwnedBy', () => {
    const roles = [role('env', ''), role('mine', 'tenant-acme'), role('theirs', 'tenant-globex')];
    it("answers the tenant's own role", () => {
      expect(roleOwnedBy('tenant-acme', roles, 'mine').id).toBe('mine');
    });
    it("answers the same 404 for another tenant's role and a missing one", () => {
      for (const id of ['theirs', 'nope']) {
        expect(() => roleOwnedBy('tenant-acme', roles, id)).toThrow(expect.objectContaining({ status: 404, detail: 'role not found' }));
      }
    });
    it('answers 403 environment-role for an environment-wide role', () => {
      expect(() => roleOwnedBy('tenant-acme', roles, 'env')).toThrow(expect.objectContaining({ status: 403, reason: 'environment-role' }));
    });
  });

  describe('membershipOfVisibleMember', () => {
    it('answers the membership of a member of the tenant', () => {
      expect(membershipOfVisibleMember('tenant-acme', member(['tenant-globex', 'tenant-acme'])).tenantId).toBe('tenant-acme');
    });
    it('answers the same 404 for a user of another tenant and for an invisible member', () => {
      for (const user of [member(['tenant-globex']), member(['tenant-acme'], { invisible: true })]) {
        expect(() => membershipOfVisibleMember('tenant-acme', user)).toThrow(expect.objectContaining({ status: 404, detail: 'user not found' }));
      }
    });
    it('reads the top-level tenant when the answer lists no tenants', () => {
      const user = { tenantId: 'tenant-acme', roles: [role('mine', 'tenant-acme')] } as unknown as FronteggUser;
      expect(membershipOfVisibleMember('tenant-acme', user).roles.map((r) => r.id)).toEqual(['mine']);
      expect(() => membershipOfVisibleMember('tenant-globex', user)).toThrow(expect.objectContaining({ status: 404 }));
    });
  });

  it('names roles the tenant sees, and answers unknown and foreign ids with the same 400 naming them', () => {
    const visible = rolesVisibleIn('tenant-acme', [role('env', ''), role('mine', 'tenant-acme'), role('theirs', 'tenant-globex')]);
    expect(rolesNamedIn(visible, ['mine', 'env']).map((r) => r.id)).toEqual(['mine', 'env']);
    expect(() => rolesNamedIn(visible, ['theirs', 'nope', 'mine'])).toThrow(
      expect.objectContaining({ status: 400, detail: 'unknown role ids: theirs, nope', extensions: { unknownRoleIds: ['theirs', 'nope'] } }),
    );
  });

  it('lists a member only when visible and in the tenant', () => {
    expect(visibleMembershipIn('tenant-acme', member(['tenant-acme']))?.tenantId).toBe('tenant-acme');
    expect(visibleMembershipIn('tenant-acme', member(['tenant-globex']))).toBeUndefined();
    expect(visibleMembershipIn('tenant-acme', member(['tenant-acme'], { invisible: true }))).toBeUndefined();
  });

  it("collects a user's tenants from every field that lists them", () => {
    const user = member(['tenant-acme'], { tenants: [{ tenantId: 'tenant-globex', roles: [] }] });
    expect([...tenantsOf(user)].sort()).toEqual(['tenant-acme', 'tenant-globex']);
  });
});
