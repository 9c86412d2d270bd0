import { holdsPermission } from '../auth/permissions';
import type { Grants } from '../auth/principal';
import type { FronteggPermission, FronteggRole, FronteggUser, FronteggUserTenant } from '../identity/frontegg-api.types';
import type { RoleLevel } from '../identity/role-level';

// The grants type lives with the principal that carries it (auth/); re-exported for this layer's users.
export type { Grants, HeldRole } from '../auth/principal';

/** Why resolved grants are refused: `401 access revoked` (CONTRACT §3). */
export type Revocation = 'deleted' | 'locked' | 'not-a-member' | 'membership-disabled' | 'membership-expired';

/** Resolved grants as cached (JSON, so that Redis can share them): grants, or why there are none. */
export type Resolution =
  | { readonly grants: Grants; /** A temporary membership's end (ms since the epoch). */ readonly until?: number }
  | { readonly revoked: Revocation };

/**
 * The user's membership in `tenantId`, or undefined when there is none. Some answers list only
 * the active tenant through the top-level fields, without `tenants`.
 */
export function membershipIn(user: Pick<FronteggUser, 'tenants' | 'tenantId'> & { roles?: FronteggRole[] }, tenantId: string): FronteggUserTenant | undefined {
  if (Array.isArray(user.tenants)) return user.tenants.find((tenant) => tenant.tenantId === tenantId);
  return user.tenantId === tenantId ? { tenantId, roles: user.roles ?? [] } : undefined;
}

/**
 * Grants of a user in one tenant, from the vendor-only user and the permission catalogue: the
 * membership's roles, and the keys of these roles' permissions. A locked user, or a membership
 * that is missing, disabled or past its temporary end, grants nothing.
 */
export function resolveGrants(user: FronteggUser, tenantId: string, catalogue: readonly FronteggPermission[]): Resolution {
  if (user.isLocked) return { revoked: 'locked' };
  const membership = membershipIn(user, tenantId);
  if (!membership) return { revoked: 'not-a-member' };
  if (membership.isDisabled) return { revoked: 'membership-disabled' };
  const until = membership.temporaryExpirationDate ? Date.parse(membership.temporaryExpirationDate) : undefined;
  if (until !== undefined && !(until > Date.now())) return { revoked: 'membership-expired' };
  const roles = membership.roles ?? [];
  return {
    grants: {
      roleKeys: roles.map((role) => role.key),
      permissions: permissionKeysOf(roles, catalogue),
      roles: roles.map(({ id, key, level }) => ({ id, key, level })),
    },
    until,
  };
}

/**
 * Resolved grants limited to a delegated credential's claims: the resolved permissions its
 * `permissions` claim covers (wildcards included), the resolved roles its `roles` claim names (so
 * its level is that of these roles only). Never more than either side holds.
 */
export function scopedTo(resolved: Grants, scope: Grants): Grants {
  const roles = (resolved.roles ?? []).filter((role) => scope.roleKeys.includes(role.key));
  return {
    permissions: resolved.permissions.filter((key) => holdsPermission(scope.permissions, key)),
    roleKeys: roles.map((role) => role.key),
    roles,
  };
}

/** Permission keys granted by `roles` (which name permissions by id), resolved through the catalogue. */
export function permissionKeysOf(roles: readonly Pick<FronteggRole, 'permissions'>[], catalogue: readonly FronteggPermission[]): string[] {
  const granted = new Set(roles.flatMap((role) => role.permissions ?? []));
  return catalogue.filter((permission) => granted.has(permission.id)).map((permission) => permission.key);
}
