import type { FronteggUpdateUserRequest, FronteggUser } from '../identity/frontegg-api.types';
import { notFound } from './errors';
import type { PermissionRecord, RoleRecord, UserRecord } from './model';
import { toPermissionResponse, toRoleResponse } from './roles';
import type { IdentityStore } from './state';

export function findUser(store: IdentityStore, userId: string): UserRecord {
  const user = store.findUser(userId);
  if (!user) throw notFound('User not found');
  return user;
}

export function isMemberOf(user: UserRecord, tenantId: string): boolean {
  return user.tenants.some((membership) => membership.tenantId === tenantId);
}

export function rolesInTenant(store: IdentityStore, user: UserRecord, tenantId: string): RoleRecord[] {
  const membership = user.tenants.find((candidate) => candidate.tenantId === tenantId);
  return (membership?.roleIds ?? []).flatMap((roleId) => store.findRole(roleId) ?? []);
}

/** The permissions the roles grant together, each once, in catalogue order. */
export function permissionsOfRoles(store: IdentityStore, roles: RoleRecord[]): PermissionRecord[] {
  const granted = new Set(roles.flatMap((role) => role.permissions));
  return store.listPermissions().filter((permission) => granted.has(permission.id));
}

/**
 * UserDto as the vendor-only routes answer it: `tenantId`, `roles` and `permissions` are
 * those of the user's default tenant; `tenants` lists every membership.
 */
export function toUserDto(store: IdentityStore, user: UserRecord): FronteggUser {
  const roles = rolesInTenant(store, user, user.defaultTenantId);
  const { password: _password, defaultTenantId, tenants, ...facts } = user;
  return {
    ...facts,
    sub: user.id,
    provider: 'local',
    tenantId: defaultTenantId,
    tenantIds: tenants.map((membership) => membership.tenantId),
    roles: roles.map(toRoleResponse),
    permissions: permissionsOfRoles(store, roles).map((permission) => toPermissionResponse(store, permission)),
    tenants: tenants.map((membership) => ({
      tenantId: membership.tenantId,
      roles: rolesInTenant(store, user, membership.tenantId).map(toRoleResponse),
    })),
    activatedForTenant: true,
    isLocked: false,
    invisible: false,
    groups: [],
    subAccountAccessAllowed: false,
    managedBy: 'frontegg',
  };
}

/** A partial update: only the fields sent change (the body was validated against UpdateVendorUserDto). */
export function updateUser(user: UserRecord, changes: FronteggUpdateUserRequest): void {
  Object.assign(user, changes);
}
