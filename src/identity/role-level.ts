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

/** The role as the identity API sent it, with its level read. Not an object: a role with nothing but no level. */
export function withRoleLevel(raw: FronteggRole<unknown>): FronteggRole {
  const role = typeof raw === 'object' && raw !== null ? raw : ({} as FronteggRole<unknown>);
  return { ...role, level: roleLevelOf(role.level) };
}

/** The user as the identity API sent it, with the level of every role it lists read (top level and per tenant). */
export function withRoleLevels(raw: FronteggUser<unknown>): FronteggUser {
  const { roles, tenants, ...user } = raw;
  return {
    ...user,
    ...(Array.isArray(roles) ? { roles: roles.map(withRoleLevel) } : {}),
    ...(Array.isArray(tenants) ? { tenants: tenants.map((tenant) => ({ ...tenant, roles: Array.isArray(tenant.roles) ? tenant.roles.map(withRoleLevel) : tenant.roles })) } : {}),
  } as FronteggUser;
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
