import { ProblemException } from '../../common/problems/problem.exception';
import type { FronteggRole, FronteggUser, FronteggUserTenant } from '../../identity/frontegg-api.types';
import { membershipIn } from '../grants';

/**
 * Tenant isolation. The vendor token reaches every tenant, so these are the only tenant boundary
 * there is: each answers "no" unless the caller's token tenant is explicitly the owner, and an
 * object of another tenant gets exactly the answer of a missing one.
 */

export const ROLE_NOT_FOUND = 'role not found';
export const USER_NOT_FOUND = 'user not found';

/** Environment-wide roles have no tenant (Frontegg sends an empty string or null). */
export function isEnvironmentWide(role: Pick<FronteggRole, 'tenantId'>): boolean {
  return role.tenantId === '' || role.tenantId === null || role.tenantId === undefined;
}

/** The roles a tenant may see: its own and environment-wide ones, whatever the upstream sent. */
export function rolesVisibleIn(tenantId: string, roles: readonly FronteggRole[]): FronteggRole[] {
  return roles.filter((role) => isEnvironmentWide(role) || role.tenantId === tenantId);
}

/**
 * A role the tenant may change. Missing, or another tenant's: `404`, alike. Environment-wide:
 * `403 environment-role`, since every tenant sees it but none owns it.
 */
export function roleOwnedBy(tenantId: string, roles: readonly FronteggRole[], roleId: string): FronteggRole {
  const role = roles.find((candidate) => candidate.id === roleId);
  if (!role || (!isEnvironmentWide(role) && role.tenantId !== tenantId)) throw ProblemException.notFound(ROLE_NOT_FOUND);
  if (isEnvironmentWide(role)) throw ProblemException.forbidden('environment-role', 'environment-wide roles cannot be changed from a tenant');
  return role;
}

/**
 * The roles named by id, each one the tenant may see (its own or environment-wide). Unknown ids and
 * ids of another tenant's roles are the same `400`, naming them (existence elsewhere is not told).
 */
export function rolesNamedIn(visibleRoles: readonly FronteggRole[], roleIds: readonly string[]): FronteggRole[] {
  const byId = new Map(visibleRoles.map((role) => [role.id, role]));
  const unknown = roleIds.filter((id) => !byId.has(id));
  if (unknown.length > 0) throw ProblemException.badRequest(`unknown role ids: ${unknown.join(', ')}`, { unknownRoleIds: unknown });
  return roleIds.map((id) => byId.get(id)!);
}

/**
 * A user's membership in the tenant. Not a member, or invisible (the vendor's support accounts):
 * `404`, the same answer as for a user that does not exist.
 */
export function membershipOfVisibleMember(tenantId: string, user: FronteggUser): FronteggUserTenant {
  const membership = visibleMembershipIn(tenantId, user);
  if (!membership) throw ProblemException.notFound(USER_NOT_FOUND);
  return membership;
}

/** The same, for a listing: undefined for a user the tenant must not see (another tenant's, or invisible). */
export function visibleMembershipIn(tenantId: string, user: Pick<FronteggUser, 'invisible' | 'tenants' | 'tenantId'> & { roles?: FronteggRole[] }): FronteggUserTenant | undefined {
  return user.invisible ? undefined : membershipIn(user, tenantId);
}

/** Every tenant the user belongs to, wherever the answer lists it. */
export function tenantsOf(user: FronteggUser): Set<string> {
  return new Set([...(user.tenantIds ?? []), ...(user.tenants ?? []).map((tenant) => tenant.tenantId), user.tenantId].filter(Boolean));
}
