import { TENANT_ACME, TENANT_GLOBEX, USER_ALICE, USER_BOB, USER_CAROL, USER_DAVE, USER_ERIN, USER_FRANK, USER_GRACE } from '../../src/emulator';
import { expectProblem } from '../support/assertions';
import { startTestGateway, type TestGateway } from '../support/gateway';

const unenrollPath = (userId: string) => `/identity/resources/vendor-only/users/v1/${userId}/mfa/unenroll`;

describe('members and MFA (CONTRACT §4.2)', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ STEP_UP_MAX_AGE_S: '300' });
  });
  afterAll(() => gateway.close());
  beforeEach(() => gateway.reset());

  type Caller = Parameters<TestGateway['token']>[0];
  const as = async (caller: Caller) => `Bearer ${await gateway.token(caller)}`;
  const alice: Caller = { userId: USER_ALICE };
  const unenrollCalls = () => gateway.upstream.requests({ method: 'POST', path: /\/mfa\/unenroll$/ });
  const mfaEnrolled = async (userId: string) =>
    (await gateway.http().get(`/v1/users/${userId}`).set('authorization', await as(alice))).body.mfaEnrolled;

  describe('GET /v1/users/{userId}', () => {
    const get = async (caller: Caller, userId: string) => gateway.http().get(`/v1/users/${userId}`).set('authorization', await as(caller));

    it("answers a member of the caller's tenant as a Profile of that tenant", async () => {
      const response = await get(alice, USER_GRACE);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: USER_GRACE, tenantId: TENANT_ACME, roles: [{ key: 'acme-auditor' }] });
      expect(response.body.permissions.sort()).toEqual(['app.reports.read', 'fe.secure.read.roles', 'fe.secure.read.users']);
      expect(JSON.stringify(response.body)).not.toMatch(/vendorMetadata|superUser|externalId/);
    });

    it("shows a member of two tenants with the caller tenant's roles only", async () => {
      const fromAcme = await get(alice, USER_ERIN);
      expect(fromAcme.body).toMatchObject({ tenantId: TENANT_ACME, roles: [{ key: 'Member' }] });
      const fromGlobex = await get({ userId: USER_CAROL }, USER_ERIN);
      expect(fromGlobex.body).toMatchObject({ tenantId: TENANT_GLOBEX, roles: [{ key: 'globex-support' }] });
      expect(fromGlobex.body.permissions).toContain('fe.secure.write.users');
    });

    it.each<[string, Caller, string, number]>([
      ['a user of another tenant', alice, USER_CAROL, 404],
      ['a user that does not exist', alice, 'user-nobody', 404],
      ['a caller without fe.secure.read.users', { userId: USER_BOB }, USER_GRACE, 403],
      ['an invalid user id', alice, 'user.alice', 400],
      ['an over-long user id', alice, 'u'.repeat(65), 400],
    ])('refuses %s with %i', async (_case, caller, userId, status) => {
      expectProblem(await get(caller, userId), status);
    });
  });

  describe('POST /v1/users/{userId}/mfa/unenroll', () => {
    const unenroll = async (caller: Caller, userId: string) =>
      gateway.http().post(`/v1/users/${userId}/mfa/unenroll`).set('authorization', await as(caller));

    it('resets the MFA of a member of the caller tenant alone: 204, one upstream call', async () => {
      expect(await mfaEnrolled(USER_GRACE)).toBe(true);
      const response = await unenroll(alice, USER_GRACE);
      expect(response.status).toBe(204);
      const calls = await unenrollCalls();
      expect(calls.map((call) => call.path)).toEqual([unenrollPath(USER_GRACE)]);
      expect(await mfaEnrolled(USER_GRACE)).toBe(false);
    });

    it.each<[string, Caller, string, number]>([
      ['a member of two tenants (MFA is global)', alice, USER_ERIN, 403],
      ['a super-user', alice, USER_FRANK, 403],
      ['a user of another tenant', alice, USER_DAVE, 404],
      ['a user that does not exist', alice, 'user-nobody', 404],
      ['a caller without fe.secure.write.users', { userId: USER_GRACE }, USER_BOB, 403],
      ['a member of two tenants acting on the other tenant', { userId: USER_ERIN, tenantId: TENANT_GLOBEX }, USER_BOB, 404],
      ['an invalid user id', alice, 'user%2F..', 400],
    ])('refuses %s with %i and writes nothing upstream', async (_case, caller, userId, status) => {
      expectProblem(await unenroll(caller, userId), status);
      expect(await unenrollCalls()).toEqual([]);
    });
  });

  describe('POST /v1/me/mfa/unenroll (step-up)', () => {
    const unenrollSelf = async (caller: Caller) => gateway.http().post('/v1/me/mfa/unenroll').set('authorization', await as(caller));

    it('removes the caller MFA after a recent sign-in: 204, one upstream call', async () => {
      const response = await unenrollSelf({ userId: USER_ALICE, authTimeSecondsAgo: 30 });
      expect(response.status).toBe(204);
      expect((await unenrollCalls()).map((call) => call.path)).toEqual([unenrollPath(USER_ALICE)]);
      expect(await mfaEnrolled(USER_ALICE)).toBe(false);
    });

    it.each<[string, Caller]>([
      ['an old sign-in', { userId: USER_ALICE, authTimeSecondsAgo: 301 }],
      ['no auth_time', { userId: USER_ALICE, claims: { auth_time: null } }],
    ])('answers %s with the RFC 9470 challenge and writes nothing', async (_case, caller) => {
      const response = await unenrollSelf(caller);
      expectProblem(response, 401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_user_authentication", max_age=300');
      expect(await unenrollCalls()).toEqual([]);
    });

    it('is for user tokens only', async () => {
      expectProblem(await unenrollSelf({ userId: USER_ALICE, claims: { type: 'userApiToken', userId: USER_ALICE } }), 403);
      expect(await unenrollCalls()).toEqual([]);
    });
  });
});
