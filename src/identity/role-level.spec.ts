import type { FronteggRole, FronteggUser } from './frontegg-api.types';
import { callerLevelOf, roleLevelOf, targetLevelOf, withRoleLevel, withRoleLevels, type RoleLevel } from './role-level';

const held = (...levels: unknown[]) => levels.map((level) => ({ level: level as RoleLevel }));

describe('role levels (CONTRACT §3: level rules fail closed)', () => {
  it.each([[10], [0], [32767], [-1], [2.5]])('reads the finite number %p as it is', (value) => {
    expect(roleLevelOf(value)).toBe(value);
  });

  it.each([[undefined], [null], [Number.NaN], [Number.POSITIVE_INFINITY], [Number.NEGATIVE_INFINITY], ['5'], [{}], [[5]], [true]])('reads %p as no level (null)', (value) => {
    expect(roleLevelOf(value)).toBeNull();
  });

  it('a role without a level gives its holder nothing: the caller acts with its strongest finite level, or none', () => {
    expect(callerLevelOf(held(50, 30))).toBe(30);
    expect(callerLevelOf(held(null, 50))).toBe(50);
    expect(callerLevelOf(held(null))).toBeUndefined();
    expect(callerLevelOf(held(undefined, Number.NaN, '1'))).toBeUndefined(); // entries cached before levels were read
    expect(callerLevelOf([])).toBeUndefined();
  });

  it('a role without a level counts as the strongest of a target; no roles: no target level', () => {
    expect(targetLevelOf(held(50, 30))).toBe(30);
    expect(targetLevelOf(held(50, null))).toBeNull();
    expect(targetLevelOf(held(50, undefined))).toBeNull();
    expect(targetLevelOf([])).toBeUndefined();
  });

  it('reads the level of every role of a user answer, top level and per tenant, and leaves the rest as it came', () => {
    const user = {
      id: 'u1',
      roles: [{ id: 'r1', level: 10 }],
      tenants: [{ tenantId: 't1', roles: [{ id: 'r1', level: 10 }, { id: 'r2' }, 'garbage'] }],
    } as unknown as FronteggUser<unknown>;
    const read = withRoleLevels(user);
    expect(read).toBe(user); // read in place: the identity client's own, just-parsed answer
    expect(read).toEqual({
      id: 'u1',
      roles: [{ id: 'r1', level: 10 }],
      tenants: [{ tenantId: 't1', roles: [{ id: 'r1', level: 10 }, { id: 'r2', level: null }, { level: null }] }],
    });
    expect(withRoleLevel('garbage' as unknown as FronteggRole<unknown>)).toEqual({ level: null });
  });
});
