import { holdsPermission } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import { ProblemException } from '../common/problems/problem.exception';
import type { FronteggPermission, FronteggRole } from '../identity/frontegg-api.types';
import { rolesVisibleTo } from './tenant-access';

/**
 * Role elevation and permission escalation (CONTRACT §4.2): an admin can never hand out more
 * than it holds, whether through a role's level or through its permissions.
 */

/**
 * The caller's level: the strongest (lowest) level among the roles it holds in its tenant, read
 * from the token's role keys. A caller holding no known role has no level and may handle none.
 */
export function callerLevel(principal: Principal, roles: readonly FronteggRole[]): number {
  const held = rolesVisibleTo(principal, roles).filter((role) => principal.roles.includes(role.key));
  return held.length > 0 ? Math.min(...held.map((role) => role.level)) : Number.POSITIVE_INFINITY;
}

/** Nobody creates, changes, deletes or sets a role stronger than their own: `403`. */
export function assertLevelWithinReach(principal: Principal, roles: readonly FronteggRole[], ...levels: (number | undefined)[]): void {
  const own = callerLevel(principal, roles);
  const stronger = levels.filter((level): level is number => level !== undefined && level < own);
  if (stronger.length > 0) {
    const ownText = Number.isFinite(own) ? `level ${own}` : 'no role level';
    throw ProblemException.forbidden(`role level ${Math.min(...stronger)} is stronger than your own (${ownText})`);
  }
}

/**
 * The permissions a role may be given: all must exist (`400`), and the caller must itself hold
 * every one of their keys (`403` naming them). Answers the ids, deduplicated.
 */
export function grantablePermissionIds(principal: Principal, catalogue: readonly FronteggPermission[], permissionIds: readonly string[]): string[] {
  const requested = [...new Set(permissionIds)];
  const byId = new Map(catalogue.map((permission) => [permission.id, permission]));
  const unknown = requested.filter((id) => !byId.has(id));
  if (unknown.length > 0) throw ProblemException.badRequest(`unknown permission ids: ${unknown.join(', ')}`);
  const notHeld = requested.map((id) => byId.get(id)!.key).filter((key) => !holdsPermission(principal.permissions, key));
  if (notHeld.length > 0) throw ProblemException.forbidden(`you cannot grant permissions you do not hold: ${notHeld.join(', ')}`);
  return requested;
}
