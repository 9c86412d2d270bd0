import type { FronteggPermission, FronteggRole, FronteggUser } from '../identity/frontegg-api.types';
import { resolveGrants, scopedTo, type Grants } from './grants';

const catalogue = [
  { id: 'p-read', key: 'fe.secure.read.roles' },
  { id: 'p-users', key: 'fe.secure.read.users' },
] as FronteggPermission[];
const role = (id: string, level: number, permissions: string[]) => ({ id, key: `key-${id}`, level, permissions }) as FronteggRole;
const user = (extra: Partial<FronteggUser> = {}, membership: Record<string, unknown> = {}) =>
  ({ id: 'u1', tenantId: 't1', tenants: [{ tenantId: 't1', roles: [role('r1', 30, ['p-read']), role('r2', 50, ['p-users'])], ...membership }], ...extra }) as FronteggUser;

describe('resolveGrants', () => {
  it("answers the membership's roles by id with levels, and their permissions as keys", () => {
    expect(resolveGrants(user(), 't1', catalogue)).toEqual({
      grants: {
        roleKeys: ['key-r1', 'key-r2'],
        permissions: ['fe.secure.read.roles', 'fe.secure.read.users'],
        roles: [{ id: 'r1', key: 'key-r1', level: 30 }, { id: 'r2', key: 'key-r2', level: 50 }],
      },
      until: undefined,
    });
  });

  it('revokes a locked user, a missing, disabled or expired membership', () => {
    expect(resolveGrants(user({ isLocked: true }), 't1', catalogue)).toEqual({ revoked: 'locked' });
    expect(resolveGrants(user(), 't2', catalogue)).toEqual({ revoked: 'not-a-member' });
    expect(resolveGrants(user({}, { isDisabled: true }), 't1', catalogue)).toEqual({ revoked: 'membership-disabled' });
    expect(resolveGrants(user({}, { temporaryExpirationDate: '2024-03-01T00:00:00.000Z' }), 't1', catalogue)).toEqual({ revoked: 'membership-expired' });
  });

  it('keeps the end of a temporary membership still running, so that it is enforced from the cache', () => {
    const end = new Date(Date.now() + 60_000).toISOString();
    expect(resolveGrants(user({}, { temporaryExpirationDate: end }), 't1', catalogue)).toMatchObject({ until: Date.parse(end) });
  });
});

describe('scopedTo (a user API token: its claims are its scope)', () => {
  const resolved = { roleKeys: ['Admin', 'Auditor'], permissions: ['fe.secure.read.roles', 'fe.secure.write.roles', 'fe.secure.read.users'], roles: [{ id: 'r-admin', key: 'Admin', level: 10 }, { id: 'r-aud', key: 'Auditor', level: 30 }] } as unknown as Grants;

  it('keeps the resolved permissions its claim covers (wildcards too) and the resolved roles its claim names', () => {
    expect(scopedTo(resolved, { roleKeys: ['Auditor', 'Ghost'], permissions: ['fe.secure.read.*', 'fe.secure.delete.roles'] })).toEqual({
      roleKeys: ['Auditor'],
      permissions: ['fe.secure.read.roles', 'fe.secure.read.users'],
      roles: [{ id: 'r-aud', key: 'Auditor', level: 30 }],
    });
  });

  it('gives nothing for empty claims, whatever the user holds', () => {
    expect(scopedTo(resolved, { roleKeys: [], permissions: [] })).toEqual({ roleKeys: [], permissions: [], roles: [] });
  });
});
