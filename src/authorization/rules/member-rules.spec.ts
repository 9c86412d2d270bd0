import type { FronteggUser } from '../../identity/frontegg-api.types';
import { assertActiveMembership, assertNotOwnAccount, assertNotProtected, assertOwnFactorsRemovable, assertRecentSignIn, assertSingleTenant } from './member-rules';

const member = (tenantIds: string[], extra: Partial<FronteggUser> = {}) =>
  ({ tenantId: tenantIds[0], tenantIds, roles: [], tenants: tenantIds.map((tenantId) => ({ tenantId, roles: [] })), ...extra }) as FronteggUser;

describe('member rules', () => {
  it('allows an MFA reset only for users of the caller tenant alone (403 multi-tenant-user)', () => {
    expect(() => assertSingleTenant('t1', member(['t1']))).not.toThrow();
    expect(() => assertSingleTenant('t1', member(['t1', 't2']))).toThrow(expect.objectContaining({ reason: 'multi-tenant-user' }));
    // A membership listed only in `tenants` counts too.
    const hidden = member(['t1'], { tenants: [{ tenantId: 't2', roles: [] }] });
    expect(() => assertSingleTenant('t1', hidden)).toThrow(expect.objectContaining({ status: 403 }));
  });

  it('never resets a super-user (403 protected-user)', () => {
    expect(() => assertNotProtected(member(['t1']))).not.toThrow();
    expect(() => assertNotProtected(member(['t1'], { superUser: true }))).toThrow(expect.objectContaining({ reason: 'protected-user' }));
  });

  it("refuses the caller's own account (403 own-account), whatever its level", () => {
    expect(() => assertNotOwnAccount('u1', { id: 'u2' })).not.toThrow();
    expect(() => assertNotOwnAccount('u1', { id: 'u1' })).toThrow(expect.objectContaining({ status: 403, reason: 'own-account' }));
  });

  it('lets a user enter a tenant of an active membership only (403 not-a-member otherwise)', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(() => assertActiveMembership(member(['t1', 't2']), 't2', now)).not.toThrow();
    const refused = [
      member(['t1']),
      member(['t1'], { tenants: [{ tenantId: 't1', roles: [] }, { tenantId: 't2', roles: [], isDisabled: true }] }),
      member(['t1'], { tenants: [{ tenantId: 't1', roles: [] }, { tenantId: 't2', roles: [], temporaryExpirationDate: '2025-12-31T00:00:00Z' }] }),
      member(['t1', 't2'], { isLocked: true }),
    ];
    for (const user of refused) expect(() => assertActiveMembership(user, 't2', now)).toThrow(expect.objectContaining({ status: 403, reason: 'not-a-member' }));
  });

  it('accepts a sign-in within the maximum age, and answers an old or unknown one with the RFC 9470 challenge', () => {
    expect(() => assertRecentSignIn(1000, 300, 1300)).not.toThrow();
    for (const authTime of [1000, undefined]) {
      expect(() => assertRecentSignIn(authTime, 300, 1301)).toThrow(
        expect.objectContaining({
          status: 401,
          headers: { 'WWW-Authenticate': 'Bearer realm="api", error="insufficient_user_authentication", max_age=300' },
        }),
      );
    }
  });

  it("lets only the user's own recent sign-in remove its factors: a user API token is 403 token-type, however fresh", () => {
    const now = Math.floor(Date.now() / 1000);
    expect(() => assertOwnFactorsRemovable({ type: 'userToken', authTime: now }, 300)).not.toThrow();
    expect(() => assertOwnFactorsRemovable({ type: 'userApiToken', authTime: now }, 300)).toThrow(expect.objectContaining({ reason: 'token-type' }));
    expect(() => assertOwnFactorsRemovable({ type: 'userToken', authTime: now - 3600 }, 300)).toThrow(expect.objectContaining({ status: 401 }));
  });
});
