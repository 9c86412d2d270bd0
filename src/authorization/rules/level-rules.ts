import { holdsPermission } from '../../auth/permissions';
import { ProblemException } from '../../common/problems/problem.exception';
import type { FronteggPermission, FronteggRole } from '../../identity/frontegg-api.types';
import type { FiniteLevel, RoleLevel } from '../../identity/role-level';

/**
 * Role elevation and permission escalation (CONTRACT §4.2): an admin never hands out, changes or
 * acts on more than it holds, whether through a level or through permissions. Lower is stronger.
 */

/**
 * Nobody creates, changes, deletes or sets a level stronger than their own: `403 role-level`.
 * Fails closed (CONTRACT §3): a caller without a level (`undefined`) is refused whatever the
 * target, and a target level `null` (none known) counts as stronger than anyone's. `undefined`
 * targets are not there (no new level given, a member without roles).
 */
export function assertLevelsWithinReach(ownLevel: FiniteLevel | undefined, ...levels: (RoleLevel | undefined)[]): void {
  if (ownLevel === undefined) throw ProblemException.forbidden('role-level', 'you hold no role with a level in this tenant');
  const stronger = levels.filter((level): level is RoleLevel => level === null || (level !== undefined && level < ownLevel));
  if (stronger.length === 0) return;
  const strongest = stronger.includes(null) ? 'of unknown level' : `level ${Math.min(...(stronger as FiniteLevel[]))}`;
  throw ProblemException.forbidden('role-level', `a role ${strongest} is stronger than your own (level ${ownLevel})`);
}

/**
 * The permissions a role may be given: all must exist (`400` naming the unknown ones), and the
 * caller must itself hold every one of their keys (`403 permission-escalation` naming them).
 */
export function assertGrantable(held: readonly string[], catalogue: readonly FronteggPermission[], permissionIds: readonly string[]): void {
  const byId = new Map(catalogue.map((permission) => [permission.id, permission]));
  const requested = [...new Set(permissionIds)];
  const unknown = requested.filter((id) => !byId.has(id));
  if (unknown.length > 0) throw ProblemException.badRequest(`unknown permission ids: ${unknown.join(', ')}`, { unknownPermissionIds: unknown });
  const notHeld = requested.map((id) => byId.get(id)!.key).filter((key) => !holdsPermission(held, key));
  if (notHeld.length > 0) {
    throw ProblemException.forbidden('permission-escalation', `you cannot grant permissions you do not hold: ${notHeld.join(', ')}`);
  }
}

/**
 * Roles the caller hands out: it must itself hold every permission they grant (`403
 * permission-escalation` naming the keys). A permission id the catalogue does not know is one the
 * caller cannot be shown to hold, so it is refused too (named by its id).
 */
export function assertRolesGrantable(held: readonly string[], catalogue: readonly FronteggPermission[], roles: readonly Pick<FronteggRole, 'permissions'>[]): void {
  const keyOf = new Map(catalogue.map((permission) => [permission.id, permission.key]));
  const granted = [...new Set(roles.flatMap((role) => role.permissions ?? []))].map((id) => keyOf.get(id) ?? id);
  const notHeld = granted.filter((key) => !holdsPermission(held, key));
  if (notHeld.length > 0) {
    throw ProblemException.forbidden('permission-escalation', `you cannot give roles with permissions you do not hold: ${notHeld.join(', ')}`);
  }
}

/**
 * Role keys are what tokens name, so one key must mean one role wherever a token can name it:
 * another role of the tenant or an environment-wide role with the key is a `409`.
 */
export function assertKeyAvailable(visibleRoles: readonly FronteggRole[], key: string | undefined, exceptRoleId?: string): void {
  if (key === undefined) return;
  const taken = visibleRoles.some((role) => role.key === key && role.id !== exceptRoleId);
  if (taken) throw new ProblemException(409, `role key ${key} is already used in your tenant or by an environment-wide role`);
}
