import type { FronteggRole, FronteggUser } from './frontegg-api.types';

declare const finite: unique symbol;

/** A finite role level (lower is stronger). Only `roleLevelOf` makes one. */
export type FiniteLevel = number & { readonly [finite]: true };

/**
 * A role's level as the gateway holds it, once the identity client has read it: a finite number,
 * or `null` when the upstream's was missing or not a finite number (CONTRACT §3). No `NaN`,
 * string or `undefined` gets past the identity client, and TypeScript refuses `<` on a value that
 * may be `null`: every comparison goes through the functions below, which fail closed.
 */
export type RoleLevel = FiniteLevel | null;

export function roleLevelOf(raw: unknown): RoleLevel {
  return typeof raw === 'number' && Number.isFinite(raw) ? (raw as FiniteLevel) : null;
}

/**
 * The role as the identity API sent it, with its level read. Not an object: a role with nothing but no level.
 * Read in place, as withRoleLevels: the identity client hands over an answer it has just parsed, held by nothing else.
 */
export function withRoleLevel(raw: FronteggRole<unknown>): FronteggRole {
  if (typeof raw !== 'object' || raw === null) return { level: null } as FronteggRole;
  const role = raw as { level: unknown };
  role.level = roleLevelOf(role.level);
  return role as FronteggRole;
}

/**
 * The user as the identity API sent it, with the level of every role it lists read (top level and per tenant).
 * In place: copying the user (some thirty properties) and each of its roles was 3 % of a profile change's instructions
 * (issue 23), and the answer, just parsed by the identity client, is held by nothing else.
 */
export function withRoleLevels(raw: FronteggUser<unknown>): FronteggUser {
  const user = raw as { roles?: unknown; tenants?: unknown };
  if (Array.isArray(user.roles)) readLevelsIn(user.roles);
  if (Array.isArray(user.tenants)) {
    for (const tenant of user.tenants as { roles?: unknown }[]) {
      if (typeof tenant === 'object' && tenant !== null && Array.isArray(tenant.roles)) readLevelsIn(tenant.roles);
    }
  }
  return raw as FronteggUser;
}

function readLevelsIn(roles: unknown[]): void {
  for (let i = 0; i < roles.length; i++) roles[i] = withRoleLevel(roles[i] as FronteggRole<unknown>);
}

/**
 * The level a caller acts with: the strongest finite level among its roles. A role without one
 * gives nothing; no role with one: `undefined`, and every level rule refuses the caller.
 */
export function callerLevelOf(roles: readonly { readonly level: RoleLevel }[]): FiniteLevel | undefined {
  let strongest: FiniteLevel | undefined;
  for (const { level } of roles) {
    const known = roleLevelOf(level); // entries cached by an earlier release may still lack it
    if (known !== null && (strongest === undefined || known < strongest)) strongest = known;
  }
  return strongest;
}

/**
 * The level a target (a member's roles) stands at: the strongest among them, where a role without
 * a finite level counts as the strongest of all (`null`: within nobody's reach). No roles: `undefined`.
 */
export function targetLevelOf(roles: readonly { readonly level: RoleLevel }[]): RoleLevel | undefined {
  if (roles.length === 0) return undefined;
  const levels = roles.map(({ level }) => roleLevelOf(level));
  if (levels.includes(null)) return null;
  return Math.min(...(levels as FiniteLevel[])) as FiniteLevel;
}
