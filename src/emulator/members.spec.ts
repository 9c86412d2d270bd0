import { FronteggError } from './errors';
import { changeUserRoles, inviteUser, listUsers, parseUserListQuery, switchActiveTenant, tenantsOfUser } from './members';
import { OAuthGrants, s256 } from './oauth-grants';
import {
  PAGING_MEMBER_COUNT,
  ROLE_ACME_AUDITOR,
  ROLE_ADMIN,
  ROLE_GLOBEX_SUPPORT,
  ROLE_MEMBER,
  TENANT_ACME,
  TENANT_GLOBEX,
  USER_BOB,
  USER_CAROL,
  USER_DISABLED,
  USER_ERIN,
  USER_SUPPORT,
} from './seed';
import { IdentityStore } from './state';
import { findUser, rolesInTenant } from './users';

const query = (raw: Record<string, unknown> = {}) => parseUserListQuery(raw);
const NOW = '2026-01-01T00:00:00.000Z';

describe('emulator members', () => {
  let store: IdentityStore;
  beforeEach(() => {
    store = new IdentityStore();
  });

  describe('listUsers', () => {
    it('pages the tenant members by page number, with links and totals, invisible members included', () => {
      const acme = store.listUsers().filter((user) => user.tenants.some((membership) => membership.tenantId === TENANT_ACME));
      expect(acme.length).toBeGreaterThanOrEqual(PAGING_MEMBER_COUNT + 10);
      const first = listUsers(store, TENANT_ACME, query({ _limit: '20', _offset: '0' }));
      expect(first.items).toHaveLength(20);
      expect(first._metadata).toEqual({ totalItems: acme.length, totalPages: Math.ceil(acme.length / 20) });
      expect(first._links.next).toContain('_offset=1');
      expect(first._links.prev).toBe('');
      const last = listUsers(store, TENANT_ACME, query({ _limit: '20', _offset: String(first._metadata.totalPages - 1) }));
      expect(last._links.next).toBe('');
      const ids = [...first.items, ...last.items].map((user) => user.id);
      expect(new Set(ids).size).toBe(acme.length);
      expect(ids).toContain(USER_SUPPORT);
      expect(ids).not.toContain(USER_CAROL);
    });

    it('filters by whole email (any case) and by name prefix, and sorts both ways', () => {
      expect(listUsers(store, TENANT_ACME, query({ _email: 'BOB@acme.test' })).items.map((user) => user.id)).toEqual([USER_BOB]);
      expect(listUsers(store, TENANT_ACME, query({ _email: 'bob@acme' })).items).toEqual([]);
      expect(listUsers(store, TENANT_ACME, query({ _namePrefix: 'member 0' })).items).toHaveLength(9);
      const byEmail = listUsers(store, TENANT_ACME, query({ _sortBy: 'email', _order: 'DESC', _limit: '200' })).items.map((user) => user.email as string);
      expect(byEmail).toEqual([...byEmail].sort().reverse());
    });

    it('answers UserV3Dto: memberships with roles, no top-level roles or permissions', () => {
      const [erin] = listUsers(store, TENANT_GLOBEX, query({ _email: 'erin@shared.test' })).items;
      expect(erin).not.toHaveProperty('roles');
      expect(erin).not.toHaveProperty('permissions');
      expect(erin.tenants).toEqual(expect.arrayContaining([expect.objectContaining({ tenantId: TENANT_GLOBEX })]));
    });

    it('refuses values of the wrong kind with a 400 naming the parameter', () => {
      for (const raw of [{ _limit: '0' }, { _limit: '201' }, { _offset: '-1' }, { _sortBy: 'password' }, { _order: 'asc' }, { _email: ['a', 'b'] }]) {
        expect(() => query(raw)).toThrow(expect.objectContaining({ statusCode: 400, messages: [expect.stringContaining(Object.keys(raw)[0])] }));
      }
    });
  });

  describe('inviteUser', () => {
    it('creates a user in the tenant with the roles named, or the default roles', () => {
      const invited = inviteUser(store, TENANT_ACME, { email: 'new@acme.test', metadata: '{}', roleIds: [ROLE_ACME_AUDITOR] }, NOW);
      expect(invited).toMatchObject({ email: 'new@acme.test', roles: [ROLE_ACME_AUDITOR], verified: false, createdAt: NOW });
      const plain = inviteUser(store, TENANT_ACME, { email: 'plain@acme.test', metadata: '{}' }, NOW);
      expect(plain.roles).toEqual([ROLE_MEMBER]);
    });

    it("adds a user of another tenant to this one, and refuses a tenant's member with 409", () => {
      inviteUser(store, TENANT_ACME, { email: 'carol@globex.test', metadata: '{}' }, NOW);
      expect(findUser(store, USER_CAROL).tenants.map((membership) => membership.tenantId)).toEqual([TENANT_GLOBEX, TENANT_ACME]);
      expect(() => inviteUser(store, TENANT_ACME, { email: 'Bob@acme.test', metadata: '{}' }, NOW)).toThrow(expect.objectContaining({ statusCode: 409 }));
    });

    it("refuses another tenant's role (404) and a call without a tenant (400)", () => {
      expect(() => inviteUser(store, TENANT_ACME, { email: 'x@acme.test', metadata: '{}', roleIds: [ROLE_GLOBEX_SUPPORT] }, NOW)).toThrow(
        expect.objectContaining({ statusCode: 404 }),
      );
      expect(() => inviteUser(store, undefined, { email: 'x@acme.test', metadata: '{}' }, NOW)).toThrow(expect.objectContaining({ statusCode: 400 }));
    });
  });

  describe('changeUserRoles', () => {
    it("assigns and unassigns roles of the tenant's membership only, answering the roles named", () => {
      const erin = findUser(store, USER_ERIN);
      expect(changeUserRoles(store, erin, TENANT_ACME, [ROLE_ACME_AUDITOR], true).roles.map((role) => role.id)).toEqual([ROLE_ACME_AUDITOR]);
      changeUserRoles(store, erin, TENANT_ACME, [ROLE_MEMBER], false);
      expect(rolesInTenant(store, erin, TENANT_ACME).map((role) => role.id)).toEqual([ROLE_ACME_AUDITOR]);
      expect(rolesInTenant(store, erin, TENANT_GLOBEX).map((role) => role.id)).toEqual([ROLE_GLOBEX_SUPPORT]);
    });

    it("refuses a user outside the tenant and another tenant's role with 404", () => {
      expect(() => changeUserRoles(store, findUser(store, USER_CAROL), TENANT_ACME, [ROLE_ADMIN], true)).toThrow(FronteggError);
      expect(() => changeUserRoles(store, findUser(store, USER_BOB), TENANT_ACME, [ROLE_GLOBEX_SUPPORT], true)).toThrow(
        expect.objectContaining({ statusCode: 404 }),
      );
    });
  });

  describe("a user's tenants and the switch", () => {
    it('names every tenant of the user', () => {
      expect(tenantsOfUser(store, findUser(store, USER_ERIN))).toEqual([
        { tenantId: TENANT_ACME, name: 'Acme' },
        { tenantId: TENANT_GLOBEX, name: 'Globex' },
      ]);
    });

    it('moves the active tenant, and refuses a tenant the user may not enter', () => {
      const erin = findUser(store, USER_ERIN);
      switchActiveTenant(erin, TENANT_GLOBEX);
      expect(erin.defaultTenantId).toBe(TENANT_GLOBEX);
      expect(() => switchActiveTenant(findUser(store, USER_BOB), TENANT_GLOBEX)).toThrow(expect.objectContaining({ statusCode: 404 }));
      expect(() => switchActiveTenant(findUser(store, USER_DISABLED), 'tenant-acme')).toThrow(expect.objectContaining({ statusCode: 403 }));
    });

    it("moves the user's live hosted-login sign-ins to the new tenant: their next refresh lands there", () => {
      const grants = new OAuthGrants();
      const verifier = 'v'.repeat(43);
      const code = grants.issueCode({ clientId: 'c', userId: USER_ERIN, tenantId: TENANT_ACME, authTime: 1, scope: 'openid', redirectUri: 'https://app/cb', codeChallenge: s256(verifier) });
      const redeemed = grants.redeemCode(code, 'c', 'https://app/cb', verifier);
      if (!redeemed.ok) throw new Error(redeemed.reason);
      const refreshToken = grants.rotate(redeemed.familyId);
      grants.switchTenant(USER_ERIN, TENANT_GLOBEX);
      expect(grants.useRefreshToken(refreshToken, 'c')).toMatchObject({ ok: true, grant: { tenantId: TENANT_GLOBEX } });
    });
  });
});
