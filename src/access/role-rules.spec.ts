import type { Principal } from '../auth/principal';
import type { FronteggPermission, FronteggRole } from '../identity/frontegg-api.types';
import { assertLevelWithinReach, callerLevel, grantablePermissionIds } from './role-rules';

const principal = (roles: string[], permissions: string[] = []): Principal => ({
  userId: 'u1',
  tenantId: 't1',
  tenantIds: ['t1'],
  roles,
  permissions,
  type: 'userToken',
});
const role = (key: string, level: number, tenantId = 't1') => ({ id: key, key, level, tenantId }) as FronteggRole;
const roles = [role('Admin', 10, ''), role('Member', 50, ''), role('auditor', 30), role('theirs', 1, 't2')];

describe('callerLevel', () => {
  it('is the strongest level among the roles held in the tenant', () => {
    expect(callerLevel(principal(['Member', 'auditor']), roles)).toBe(30);
    expect(callerLevel(principal(['Admin', 'Member']), roles)).toBe(10);
  });

  it("ignores another tenant's role of the same key, and unknown keys", () => {
    expect(callerLevel(principal(['theirs', 'Member']), roles)).toBe(50);
    expect(callerLevel(principal(['ghost']), roles)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('assertLevelWithinReach', () => {
  it('allows levels as strong as the caller or weaker', () => {
    expect(() => assertLevelWithinReach(principal(['auditor']), roles, 30, 31, undefined)).not.toThrow();
  });

  it('refuses any stronger level, naming the strongest', () => {
    expect(() => assertLevelWithinReach(principal(['auditor']), roles, 40, 29, 12)).toThrow('role level 12 is stronger than your own (level 30)');
    expect(() => assertLevelWithinReach(principal([]), roles, 32767)).toThrow('stronger than your own (no role level)');
  });
});

describe('grantablePermissionIds', () => {
  const catalogue = [
    { id: 'p-read', key: 'fe.secure.read.roles' },
    { id: 'p-write', key: 'fe.secure.write.roles' },
    { id: 'p-app', key: 'app.reports.write' },
  ] as FronteggPermission[];

  it('answers the ids, deduplicated, when the caller holds every key (wildcards count)', () => {
    expect(grantablePermissionIds(principal([], ['fe.secure.*']), catalogue, ['p-read', 'p-write', 'p-read'])).toEqual(['p-read', 'p-write']);
    expect(grantablePermissionIds(principal([], []), catalogue, [])).toEqual([]);
  });

  it('refuses unknown ids with 400 before anything else', () => {
    expect(() => grantablePermissionIds(principal([], ['*']), catalogue, ['p-read', 'nope'])).toThrow('unknown permission ids: nope');
  });

  it('refuses keys the caller does not hold with 403, naming them', () => {
    const attempt = () => grantablePermissionIds(principal([], ['fe.secure.read.roles']), catalogue, ['p-read', 'p-write', 'p-app']);
    expect(attempt).toThrow('you cannot grant permissions you do not hold: fe.secure.write.roles, app.reports.write');
  });
});
