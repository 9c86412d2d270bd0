import { FronteggError } from './errors';
import {
  TEMPORARY_MEMBERSHIP_EXPIRED_AT,
  TENANT_ACME,
  TENANT_GLOBEX,
  USER_ALICE,
  USER_BOB,
  USER_DISABLED,
  USER_ERIN,
  USER_EXPIRED,
  USER_LOCKED,
  USER_SUPPORT,
} from './seed';
import { IdentityStore } from './state';
import {
  findMembership,
  findUser,
  permissionsOfRoles,
  removeUserFromTenant,
  rolesInTenant,
  signInRefusal,
  toUserDto,
} from './users';

describe('users', () => {
  const store = new IdentityStore();
  const erin = store.findUser(USER_ERIN)!;

  it('gives the roles of one tenant only', () => {
    expect(rolesInTenant(store, erin, TENANT_ACME).map((role) => role.key)).toEqual(['Member']);
    expect(rolesInTenant(store, erin, TENANT_GLOBEX).map((role) => role.key)).toEqual(['globex-support']);
    expect(rolesInTenant(store, erin, 'tenant-unknown')).toEqual([]);
  });

  it('grants each permission once, in catalogue order', () => {
    const roles = [...rolesInTenant(store, erin, TENANT_ACME), ...rolesInTenant(store, erin, TENANT_GLOBEX)];
    expect(permissionsOfRoles(store, roles).map((permission) => permission.key)).toEqual([
      'fe.secure.read.roles',
      'fe.secure.read.users',
      'fe.secure.write.users',
      'app.reports.read',
    ]);
  });

  it('answers UserDto for the default tenant, with every tenant listed and no password', () => {
    const dto = toUserDto(store, erin);
    expect(dto).toMatchObject({
      id: USER_ERIN,
      sub: USER_ERIN,
      tenantId: TENANT_ACME,
      tenantIds: [TENANT_ACME, TENANT_GLOBEX],
    });
    expect(dto.roles.map((role) => role.key)).toEqual(['Member']);
    expect(dto.permissions.map((permission) => permission.key)).toEqual(['fe.secure.read.roles', 'app.reports.read']);
    expect(dto.tenants.map((tenant) => [tenant.tenantId, tenant.roles.map((role) => role.key)])).toEqual([
      [TENANT_ACME, ['Member']],
      [TENANT_GLOBEX, ['globex-support']],
    ]);
    expect(dto).not.toHaveProperty('password');
    expect(dto).not.toHaveProperty('defaultTenantId');
  });

  it('carries vendor-only fields as strings', () => {
    const dto = toUserDto(store, findUser(store, USER_ALICE));
    expect(dto).toMatchObject({
      vendorMetadata: '{"plan":"internal"}',
      metadata: '{"theme":"dark"}',
      externalId: 'ext-alice-001',
    });
  });

  it('answers 404 for an unknown user', () => {
    expect(() => findUser(store, 'user-nobody')).toThrow(FronteggError);
  });

  it('answers isLocked and invisible as stored', () => {
    expect(toUserDto(store, findUser(store, USER_ALICE))).toMatchObject({ isLocked: false, invisible: false });
    expect(toUserDto(store, findUser(store, USER_LOCKED)).isLocked).toBe(true);
    expect(toUserDto(store, findUser(store, USER_SUPPORT)).invisible).toBe(true);
  });

  it('answers UserTenantDto: isDisabled false by default, the expiry only for temporary members', () => {
    expect(toUserDto(store, erin).tenants.map((tenant) => tenant.isDisabled)).toEqual([false, false]);
    expect(toUserDto(store, erin).tenants[0]).not.toHaveProperty('temporaryExpirationDate');
    expect(toUserDto(store, findUser(store, USER_DISABLED)).tenants).toEqual([
      expect.objectContaining({ tenantId: TENANT_ACME, isDisabled: true }),
    ]);
    expect(toUserDto(store, findUser(store, USER_EXPIRED)).tenants).toEqual([
      expect.objectContaining({ temporaryExpirationDate: TEMPORARY_MEMBERSHIP_EXPIRED_AT, isDisabled: false }),
    ]);
  });

  describe('signInRefusal', () => {
    it('lets an active member in', () => {
      expect(signInRefusal(erin, TENANT_GLOBEX)).toBeUndefined();
    });

    it('refuses a locked user, a disabled or expired membership, and a stranger to the tenant', () => {
      expect(signInRefusal(findUser(store, USER_LOCKED), TENANT_ACME)).toBe('User is locked');
      expect(signInRefusal(findUser(store, USER_DISABLED), TENANT_ACME)).toBe('User is disabled in the tenant');
      expect(signInRefusal(findUser(store, USER_EXPIRED), TENANT_ACME)).toBe(
        'User temporary access to the tenant has expired',
      );
      expect(signInRefusal(findUser(store, USER_ALICE), TENANT_GLOBEX)).toBe('User is not a member of the tenant');
    });

    it('lets a temporary member in until the expiry', () => {
      const expired = findUser(store, USER_EXPIRED);
      const before = new Date(Date.parse(TEMPORARY_MEMBERSHIP_EXPIRED_AT) - 1);
      expect(signInRefusal(expired, TENANT_ACME, before)).toBeUndefined();
      expect(signInRefusal(expired, TENANT_ACME, new Date(TEMPORARY_MEMBERSHIP_EXPIRED_AT))).toBeDefined();
    });
  });

  describe('tenant membership changes', () => {
    let changing: IdentityStore;
    beforeEach(() => {
      changing = new IdentityStore();
    });

    it('finds the membership of the tenant header, 400 without one and 404 outside the tenant', () => {
      const bob = findUser(changing, USER_BOB);
      expect(findMembership(bob, TENANT_ACME)).toBe(bob.tenants[0]);
      expect(() => findMembership(bob, undefined)).toThrow(expect.objectContaining({ statusCode: 400 }));
      expect(() => findMembership(bob, TENANT_GLOBEX)).toThrow(expect.objectContaining({ statusCode: 404 }));
    });

    it('removes one membership, moving the default tenant to one the user still has', () => {
      const shared = findUser(changing, USER_ERIN);
      removeUserFromTenant(changing, shared, TENANT_ACME);
      expect(changing.findUser(USER_ERIN)?.tenants.map((membership) => membership.tenantId)).toEqual([TENANT_GLOBEX]);
      expect(toUserDto(changing, shared)).toMatchObject({ tenantId: TENANT_GLOBEX, tenantIds: [TENANT_GLOBEX] });
    });

    it('deletes a user removed from its last tenant, or from every tenant', () => {
      removeUserFromTenant(changing, findUser(changing, USER_BOB), TENANT_ACME);
      expect(changing.findUser(USER_BOB)).toBeUndefined();
      removeUserFromTenant(changing, findUser(changing, USER_ERIN), undefined);
      expect(changing.findUser(USER_ERIN)).toBeUndefined();
    });

    it('refuses a tenant the user is not in, and changes nothing', () => {
      const bob = findUser(changing, USER_BOB);
      expect(() => removeUserFromTenant(changing, bob, TENANT_GLOBEX)).toThrow(
        expect.objectContaining({ statusCode: 404 }),
      );
      expect(changing.findUser(USER_BOB)?.tenants).toHaveLength(1);
    });
  });
});
