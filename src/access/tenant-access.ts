import type { Principal } from '../auth/principal';
import { ProblemException } from '../common/problems/problem.exception';
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

/**
 * The role as the caller may change it. Missing, or another tenant's: `404`, so that the
 * existence of other tenants' roles is not revealed. Environment-wide: `403`, since it is
 * visible to every tenant but belongs to none.
 */
export function roleOwnedByCaller(principal: Principal, roles: readonly FronteggRole[], roleId: string): FronteggRole {
  const role = roles.find((candidate) => candidate.id === roleId);
  if (!role || (!isEnvironmentWide(role) && role.tenantId !== principal.tenantId)) throw ProblemException.notFound('role not found');
  if (isEnvironmentWide(role)) throw ProblemException.forbidden('environment-wide roles cannot be changed from a tenant');
  return role;
}

/** A user the caller may administer: a member of the caller's tenant, else `404`. */
export function memberOfCallerTenant(principal: Principal, user: FronteggUser): FronteggUserTenant {
  const membership = membershipInCallerTenant(principal, user);
  if (!membership) throw ProblemException.notFound('user not found');
  return membership;
}

/**
 * MFA unenroll acts on the user everywhere, so a tenant admin may reset only users who belong
 * to no other tenant, and never a super-user.
 */
export function assertMfaResetStaysInTenant(principal: Principal, user: FronteggUser): void {
  const tenants = new Set([...(user.tenantIds ?? []), ...(user.tenants ?? []).map((tenant) => tenant.tenantId), user.tenantId]);
  if ([...tenants].some((tenantId) => tenantId !== principal.tenantId)) {
    throw ProblemException.forbidden('the user also belongs to another tenant: MFA reset would reach beyond yours');
  }
  if (user.superUser) throw ProblemException.forbidden('MFA of a super-user cannot be reset from a tenant');
}
