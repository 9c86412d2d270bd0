import type { FronteggPermission, FronteggRole } from '../../identity/frontegg-api.types';
import { assertGrantable, assertKeyAvailable, assertLevelsWithinReach, assertRolesGrantable } from './level-rules';

describe('assertLevelsWithinReach', () => {
  it('allows levels as strong as the caller or weaker, and absent levels', () => {
    expect(() => assertLevelsWithinReach(30, 30, 31, undefined)).not.toThrow();
  });

  it('refuses any stronger level with 403 role-level, naming the strongest', () => {
    expect(() => assertLevelsWithinReach(30, 40, 29, 12)).toThrow(
      expect.objectContaining({ status: 403, reason: 'role-level', detail: 'role level 12 is stronger than your own (level 30)' }),
    );
    expect(() => assertLevelsWithinReach(Number.POSITIVE_INFINITY, 32767)).toThrow('stronger than your own (no role level)');
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
