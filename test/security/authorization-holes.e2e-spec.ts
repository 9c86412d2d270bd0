import { decodeJwt } from 'jose';
import {
  DEV_PASSWORD,
  PERM_READ_USERS,
  ROLE_ACME_AUDITOR,
  TENANT_ACME,
  USER_ALICE,
  USER_BOB,
  USER_CAROL,
  USER_ERIN,
  USER_GRACE,
  USER_DISABLED,
  USER_EXPIRED,
  USER_HENRY,
  USER_LOCKED,
  USER_SUPPORT,
} from '../../src/emulator';
import { expectProblem } from '../support/assertions';
import { startTestGateway, type TestGateway } from '../support/gateway';

/**
 * The holes an outside review found in the tenant boundary (issue 10), one block per hole, by
 * number. Each failed against the gateway before the policy layer and passes with it.
 */
describe('authorization holes found by review (CONTRACT §3, §4.2)', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ STEP_UP_MAX_AGE_S: '300' });
  });
  afterAll(() => gateway.close());
  beforeEach(() => gateway.reset());

  type Caller = Parameters<TestGateway['token']>[0];
  const bearer = async (caller: Caller) => `Bearer ${await gateway.token(caller)}`;
  const get = async (caller: Caller, path: string) => gateway.http().get(path).set('authorization', await bearer(caller));
  const post = async (caller: Caller, path: string) => gateway.http().post(path).set('authorization', await bearer(caller));
  const unenrollCalls = () => gateway.upstream.requests({ method: 'POST', path: /\/mfa\/unenroll$/ });
  /** The answer without what differs between any two answers (the request id). */
  const comparable = (response: { status: number; body: Record<string, unknown>; headers: Record<string, string> }) => {
    const { requestId: _requestId, ...body } = response.body;
    return { status: response.status, body, contentType: response.headers['content-type'] };
  };

  describe('1. step-up cannot be bypassed through the admin route', () => {
    it('refuses an admin with an hour-old sign-in removing its own MFA by id, and sends nothing upstream', async () => {
      const response = await post({ userId: USER_ALICE, authTimeSecondsAgo: 3600 }, `/v1/users/${USER_ALICE}/mfa/unenroll`);
      expectProblem(response, 401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_user_authentication", max_age=300');
      expect(await unenrollCalls()).toEqual([]);
    });

    it('lets the same admin do it after a recent sign-in', async () => {
      expect((await post({ userId: USER_ALICE, authTimeSecondsAgo: 10 }, `/v1/users/${USER_ALICE}/mfa/unenroll`)).status).toBe(204);
    });
  });

  describe('2. a weaker member cannot reset a stronger admin', () => {
    it.each<[string, Caller]>([
      ['a level-50 member whose token claims fe.secure.write.users', { userId: USER_BOB, claims: { permissions: ['fe.secure.write.users'] } }],
      ['the seeded level-40 helpdesk member', { userId: USER_HENRY }],
    ])("refuses %s resetting the level-10 admin's MFA with 403 role-level", async (_case, caller) => {
      const response = await post(caller, `/v1/users/${USER_ALICE}/mfa/unenroll`);
      expectProblem(response, 403);
      expect(response.body.reason).toBe('role-level');
      expect(await unenrollCalls()).toEqual([]);
    });

    it('still lets the helpdesk member reset a weaker member', async () => {
      expect((await post({ userId: USER_HENRY }, `/v1/users/${USER_BOB}/mfa/unenroll`)).status).toBe(204);
    });
  });

  describe('3. member reads show the caller tenant only', () => {
    it("shows a two-tenant user's tenantIds as the caller's tenant alone", async () => {
      const response = await get({ userId: USER_ALICE }, `/v1/users/${USER_ERIN}`);
      expect(response.status).toBe(200);
      expect(response.body.tenantIds).toEqual([TENANT_ACME]);
      expect(JSON.stringify(response.body)).not.toContain('tenant-globex');
    });
  });

  describe('4. no existence oracle', () => {
    it.each([
      ['GET', (id: string) => `/v1/users/${id}`],
      ['POST', (id: string) => `/v1/users/${id}/mfa/unenroll`],
    ] as const)('answers %s for a user of another tenant exactly as for a missing one', async (method, path) => {
      const send = method === 'GET' ? get : post;
      const foreign = await send({ userId: USER_ALICE, authTimeSecondsAgo: 10 }, path(USER_CAROL));
      const missing = await send({ userId: USER_ALICE, authTimeSecondsAgo: 10 }, path('user-nobody'));
      expectProblem(foreign, 404);
      expect(comparable(foreign)).toEqual(comparable(missing));
      expect(foreign.body.detail).toBe('user not found');
    });

    it("answers a role of another tenant exactly as a missing one", async () => {
      const caller = { userId: USER_ALICE };
      const foreign = await gateway.http().delete('/v1/roles/role-globex-support').set('authorization', await bearer(caller));
      const missing = await gateway.http().delete('/v1/roles/role-nobody').set('authorization', await bearer(caller));
      expectProblem(foreign, 404);
      expect(comparable(foreign)).toEqual(comparable(missing));
    });
  });

  describe('5. invisible users (the vendor support accounts) are not there for tenant admins', () => {
    it('answers 404 user not found for reading and for resetting them, and sends no reset upstream', async () => {
      const read = await get({ userId: USER_ALICE }, `/v1/users/${USER_SUPPORT}`);
      const missing = await get({ userId: USER_ALICE }, '/v1/users/user-nobody');
      expect(comparable(read)).toEqual(comparable(missing));
      const reset = await post({ userId: USER_ALICE }, `/v1/users/${USER_SUPPORT}/mfa/unenroll`);
      expectProblem(reset, 404);
      expect(reset.body.detail).toBe('user not found');
      expect(await unenrollCalls()).toEqual([]);
    });
  });

  describe('6. role levels by id, and role keys that cannot be taken over', () => {
    const roleWriter: Caller = { userId: USER_GRACE, claims: { permissions: ['fe.secure.*'] } };

    it("refuses to give one's own role an environment-wide role's key (409), and writes nothing", async () => {
      const response = await gateway
        .http()
        .patch(`/v1/roles/${ROLE_ACME_AUDITOR}`)
        .set('authorization', await bearer(roleWriter))
        .send({ key: 'Admin' });
      expectProblem(response, 409);
      expect(await gateway.upstream.requests({ method: 'PATCH' })).toEqual([]);
    });

    it('refuses to create a role with a key already used in the tenant (409), and writes nothing', async () => {
      const response = await gateway.http().post('/v1/roles').set('authorization', await bearer(roleWriter)).send({ key: 'acme-auditor', name: 'Twin', level: 40 });
      expectProblem(response, 409);
      expect(await gateway.upstream.requests({ method: 'POST' })).toEqual([]);
    });

    it("takes the caller's level from its roles by id, not from a key its token names", async () => {
      // A token naming the environment-wide Admin key, held by a level-30 auditor.
      const response = await gateway
        .http()
        .post('/v1/roles')
        .set('authorization', await bearer({ userId: USER_GRACE, claims: { roles: ['Admin', 'acme-auditor'], permissions: ['fe.secure.*'] } }))
        .send({ key: 'near-admin', name: 'Near admin', level: 10 });
      expectProblem(response, 403);
      expect(response.body.reason).toBe('role-level');
      expect(await gateway.upstream.requests({ method: 'POST' })).toEqual([]);
    });
  });

  describe('7. tokens without roles and permissions claims', () => {
    it('resolves them from the identity API instead of refusing every permissioned route', async () => {
      const caller = { userId: USER_ALICE, claims: { roles: null, permissions: null } };
      expect((await get(caller, '/v1/roles')).status).toBe(200);
      expect((await get(caller, `/v1/users/${USER_BOB}`)).status).toBe(200);
      const bob = { userId: USER_BOB, claims: { roles: null, permissions: null } };
      const refused = await get(bob, `/v1/users/${USER_ALICE}`);
      expectProblem(refused, 403);
      expect(refused.body).toMatchObject({ reason: 'missing-permission', detail: 'missing permission fe.secure.read.users' });
    });

    it('works for sign-ins under a token template without the claims', async () => {
      await gateway.upstream.settings({ tokenClaims: 'identity-only' });
      const { accessToken } = await gateway.upstream.login('alice@acme.test', DEV_PASSWORD);
      expect(decodeJwt(accessToken)).not.toHaveProperty('roles');
      expect(decodeJwt(accessToken)).not.toHaveProperty('permissions');
      const response = await gateway.http().get('/v1/roles').set('authorization', `Bearer ${accessToken}`);
      expect(response.status).toBe(200);
    });
  });

  describe('8. role and membership changes take effect before the token expires (AUTHZ_SOURCE=live)', () => {
    let live: TestGateway;
    beforeAll(async () => {
      live = await startTestGateway({ AUTHZ_SOURCE: 'live', AUTHZ_CACHE_TTL_S: '1' });
    });
    afterAll(() => live.close());
    beforeEach(() => live.reset());

    const liveGet = async (token: string, path: string) => live.http().get(path).set('authorization', `Bearer ${token}`);

    const expectRevoked = (response: Awaited<ReturnType<typeof liveGet>>) => {
      expectProblem(response, 401);
      expect(response.body.detail).toBe('access revoked');
      expect(response.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');
    };
    const afterCacheTtl = () => new Promise((resolve) => setTimeout(resolve, 1100));

    it.each<[string, () => Promise<void>]>([
      ['locked', () => live.upstream.lockUser(USER_BOB)],
      ['removed from the tenant', () => live.upstream.removeUserFromTenant(USER_BOB, TENANT_ACME)],
      ['disabled in the tenant', () => live.upstream.disableUserInTenant(USER_BOB, TENANT_ACME)],
    ])('refuses a user %s after its token was issued, within AUTHZ_CACHE_TTL_S: 401 access revoked', async (_case, change) => {
      const token = await live.token({ userId: USER_BOB });
      expect((await liveGet(token, '/v1/roles')).status).toBe(200);
      await change();
      await afterCacheTtl();
      expectRevoked(await liveGet(token, '/v1/roles'));
    });

    it('refuses the seeded locked, disabled and expired memberships from their first request', async () => {
      for (const userId of [USER_LOCKED, USER_DISABLED, USER_EXPIRED]) {
        expectRevoked(await liveGet(await live.token({ userId }), '/v1/roles'));
      }
    });

    it('drops a permission for every user of the tenant at once when a role changes through the gateway', async () => {
      const grace = await live.token({ userId: USER_GRACE });
      expect((await liveGet(grace, `/v1/users/${USER_BOB}`)).status).toBe(200);
      const alice = await live.token({ userId: USER_ALICE });
      const change = await live
        .http()
        .put(`/v1/roles/${ROLE_ACME_AUDITOR}/permissions`)
        .set('authorization', `Bearer ${alice}`)
        .send({ permissionIds: ['perm-reports-read'] });
      expect(change.status).toBe(200);
      const refused = await liveGet(grace, `/v1/users/${USER_BOB}`);
      expectProblem(refused, 403);
      expect(refused.body.reason).toBe('missing-permission');
      // And given back the same way.
      await live.http().put(`/v1/roles/${ROLE_ACME_AUDITOR}/permissions`).set('authorization', `Bearer ${alice}`).send({ permissionIds: [PERM_READ_USERS] });
      expect((await liveGet(grace, `/v1/users/${USER_BOB}`)).status).toBe(200);
    });
  });
});
