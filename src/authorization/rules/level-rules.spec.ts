import type { FronteggPermission, FronteggRole } from '../../identity/frontegg-api.types';
import { roleLevelOf, type FiniteLevel } from '../../identity/role-level';
import { assertGrantable, assertKeyAvailable, assertLevelsWithinReach, assertRolesGrantable } from './level-rules';

const level = (value: number) => roleLevelOf(value) as FiniteLevel;

describe('assertLevelsWithinReach', () => {
  it('allows levels as strong as the caller or weaker, and absent levels', () => {
    expect(() => assertLevelsWithinReach(level(30), level(30), level(31), undefined)).not.toThrow();
  });

  it('refuses any stronger level with 403 role-level, naming the strongest', () => {
    expect(() => assertLevelsWithinReach(level(30), level(40), level(29), level(12))).toThrow(
      expect.objectContaining({ status: 403, reason: 'role-level', detail: 'a role level 12 is stronger than your own (level 30)' }),
    );
  });

  it('fails closed (issue 20): a caller without a level is refused whatever the target, an unknown target level is beyond everyone', () => {
    for (const target of [level(32767), undefined, null]) {
      expect(() => assertLevelsWithinReach(undefined, target)).toThrow(expect.objectContaining({ reason: 'role-level', detail: 'you hold no role with a level in this tenant' }));
    }
    expect(() => assertLevelsWithinReach(level(0), null)).toThrow(expect.objectContaining({ reason: 'role-level', detail: 'a role of unknown level is stronger than your own (level 0)' }));
  });
});

describe('assertGrantable', () => {
  const catalogue = [
    { id: 'p-read', key: 'fe.secure.read.roles' },
    { id: 'p-write', key: 'fe.secure.write.roles' },
    { id: 'p-app', key: 'app.reports.write' },
  ] as FronteggPermission[];

  it('passes when the caller holds every key (wildcards count), and for none', () => {
    expect(() => assertGrantable(['fe.secure.*'], catalogue, ['p-read', 'p-write', 'p-read'])).not.toThrow();
    expect(() => assertGrantable([], catalogue, [])).not.toThrow();
  });

  it('refuses unknown ids with 400 naming them, before anything else', () => {
    expect(() => assertGrantable(['*'], catalogue, ['p-read', 'nope'])).toThrow(
      expect.objectContaining({ status: 400, detail: 'unknown permission ids: nope', extensions: { unknownPermissionIds: ['nope'] } }),
    );
  });

  it('refuses keys the caller does not hold with 403 permission-escalation, naming them', () => {
    expect(() => assertGrantable(['fe.secure.read.roles'], catalogue, ['p-read', 'p-write', 'p-app'])).toThrow(
      expect.objectContaining({
        reason: 'permission-escalation',
        detail: 'you cannot grant permissions you do not hold: fe.secure.write.roles, app.reports.write',
      }),
    );
  });
});

describe('assertRolesGrantable', () => {
  const catalogue = [{ id: 'p-read', key: 'fe.secure.read.users' }, { id: 'p-app', key: 'app.reports.write' }] as FronteggPermission[];

  it('passes roles whose every permission the caller holds (wildcards count), and no roles', () => {
    expect(() => assertRolesGrantable(['fe.secure.*'], catalogue, [{ permissions: ['p-read'] }])).not.toThrow();
    expect(() => assertRolesGrantable([], catalogue, [])).not.toThrow();
  });

  it('refuses a role granting a permission the caller lacks, or one the catalogue does not know, naming them', () => {
    expect(() => assertRolesGrantable(['fe.secure.*'], catalogue, [{ permissions: ['p-read', 'p-app'] }, { permissions: ['p-ghost'] }])).toThrow(
      expect.objectContaining({ reason: 'permission-escalation', detail: 'you cannot give roles with permissions you do not hold: app.reports.write, p-ghost' }),
    );
  });
});

describe('assertKeyAvailable', () => {
  const roles = [{ id: 'r-admin', key: 'Admin', tenantId: '' }, { id: 'r-aud', key: 'auditor', tenantId: 't1' }] as FronteggRole[];

  it("refuses a key of an environment-wide role or of another of the tenant's roles with 409", () => {
    expect(() => assertKeyAvailable(roles, 'Admin')).toThrow(expect.objectContaining({ status: 409 }));
    expect(() => assertKeyAvailable(roles, 'auditor', 'r-other')).toThrow(expect.objectContaining({ status: 409 }));
  });

  it('allows a new key, a role keeping its own key, and no key at all', () => {
    expect(() => assertKeyAvailable(roles, 'billing')).not.toThrow();
    expect(() => assertKeyAvailable(roles, 'auditor', 'r-aud')).not.toThrow();
    expect(() => assertKeyAvailable(roles, undefined)).not.toThrow();
  });
});
