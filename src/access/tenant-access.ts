import type { Principal } from '../auth/principal';
import type { FronteggRole, FronteggUser, FronteggUserTenant } from '../identity/frontegg-api.types';

/**
 * Tenant isolation, in one place. The vendor token can reach every tenant, so these checks are
 * the only tenant boundary there is: each answers "no" unless the caller's token tenant is
 * explicitly the owner.
 */

/** Environment-wide roles have no tenant (Frontegg sends an empty string or null). */
export function isEnvironmentWide(role: Pick<FronteggRole, 'tenantId'>): boolean {
  return role.tenantId === '' || role.tenantId === null || role.tenantId === undefined;
}

/** The roles a caller may see: its own tenant's and environment-wide ones, whatever the upstream sent. */
export function rolesVisibleTo(principal: Principal, roles: readonly FronteggRole[]): FronteggRole[] {
  return roles.filter((role) => isEnvironmentWide(role) || role.tenantId === principal.tenantId);
}

/** The user's membership in the caller's tenant, or undefined when the user is not a member. */
export function membershipInCallerTenant(principal: Principal, user: FronteggUser): FronteggUserTenant | undefined {
  const membership = user.tenants?.find((tenant) => tenant.tenantId === principal.tenantId);
  if (membership) return membership;
  // Some answers list only the user's active tenant, through the top-level fields.
  return user.tenantId === principal.tenantId ? { tenantId: user.tenantId, roles: user.roles ?? [] } : undefined;
}
