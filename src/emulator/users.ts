import type { FronteggUpdateUserRequest, FronteggUser } from '../identity/frontegg-api.types';
import { badRequest, notFound } from './errors';
import type { PermissionRecord, RoleRecord, TenantMembership, UserRecord } from './model';
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

export function membershipIn(user: UserRecord, tenantId: string): TenantMembership | undefined {
  return user.tenants.find((membership) => membership.tenantId === tenantId);
}

/** Why the user cannot sign in to the tenant (locked, disabled or expired membership), or undefined when it can. */
export function signInRefusal(user: UserRecord, tenantId: string, now: Date = new Date()): string | undefined {
  if (user.isLocked) return 'User is locked';
  const membership = membershipIn(user, tenantId);
  if (!membership) return 'User is not a member of the tenant';
  if (membership.isDisabled) return 'User is disabled in the tenant';
  const { temporaryExpirationDate } = membership;
  if (temporaryExpirationDate !== undefined && Date.parse(temporaryExpirationDate) <= now.getTime()) {
    return 'User temporary access to the tenant has expired';
  }
  return undefined;
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
export function toUserDto(store: IdentityStore, user: UserRecord): FronteggUser<number> {
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
      // UserTenantDto leaves the expiry out for permanent members.
      ...(membership.temporaryExpirationDate === undefined
        ? {}
        : { temporaryExpirationDate: membership.temporaryExpirationDate }),
      isDisabled: membership.isDisabled ?? false,
    })),
    activatedForTenant: true,
    groups: [],
    subAccountAccessAllowed: false,
    managedBy: 'frontegg',
  };
}

/** The membership that the tenant-scoped routes act on; a user outside the tenant is not found there. */
export function findMembership(user: UserRecord, tenantId: string | undefined): TenantMembership {
  if (tenantId === undefined) throw badRequest('frontegg-tenant-id header is required');
  const membership = membershipIn(user, tenantId);
  if (!membership) throw notFound('User not found');
  return membership;
}

/**
 * Removes the user from one tenant, or from every tenant when none is given. A user left
 * without any membership is deleted, as Frontegg deletes it when removed globally.
 */
export function removeUserFromTenant(store: IdentityStore, user: UserRecord, tenantId: string | undefined): void {
  if (tenantId !== undefined) findMembership(user, tenantId);
  user.tenants = tenantId === undefined ? [] : user.tenants.filter((membership) => membership.tenantId !== tenantId);
  const [remaining] = user.tenants;
  if (!remaining) {
    store.deleteUser(user.id);
    return;
  }
  // The default tenant must stay one the user belongs to: sign-ins land there.
  if (user.defaultTenantId === tenantId) user.defaultTenantId = remaining.tenantId;
}

/** A partial update: only the fields sent change (the body was validated against UpdateVendorUserDto). */
export function updateUser(user: UserRecord, changes: FronteggUpdateUserRequest): void {
  Object.assign(user, changes);
}
