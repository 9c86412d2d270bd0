import { FronteggError } from './errors';
import { TENANT_ACME, TENANT_GLOBEX, USER_ALICE, USER_ERIN } from './seed';
import { IdentityStore } from './state';
import { findUser, permissionsOfRoles, rolesInTenant, toUserDto } from './users';

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
});
