/**
 * Family 10 — scoped credentials (CONTRACT §3, §4.2; issue 20, findings 1 and 8): a user API token
 * is a delegated credential whose claims are its scope. It never gains a right by resolution (in
 * either AUTHZ_SOURCE), never keeps one its user has lost, and never removes its user's own
 * security factors, whatever its claims and its auth_time say.
 */
import { ROLE_ACME_AUDITOR, USER_ALICE, USER_BOB } from '../../src/emulator';
import { expectProblem } from '../support/assertions';
import { startGatewayOn, startSecurityGateway, type SecurityGateway } from './support/security-gateway';

type Source = 'live' | 'token';

/** A user API token of `userId` whose claims are exactly `roles` and `permissions`. */
const apiTokenClaims = (userId: string, roles: string[] | null, permissions: string[] | null) => ({
  type: 'userApiToken',
  userId,
  sub: `api-token-of-${userId}`,
  roles,
  permissions,
});

describe('scoped credentials (issue 20)', () => {
  const gateways = {} as Record<Source, SecurityGateway>;

  beforeAll(async () => {
    gateways.token = await startSecurityGateway({ AUTHZ_SOURCE: 'token', STEP_UP_MAX_AGE_S: '300' });
    gateways.live = await startGatewayOn(gateways.token.emulator, { AUTHZ_SOURCE: 'live', STEP_UP_MAX_AGE_S: '300' });
  });
  afterAll(async () => {
    await gateways.live?.close();
    await gateways.token?.close();
  });
  beforeEach(async () => {
    await gateways.token.reset();
    await gateways.live.reset();
  });

  describe.each<Source>(['live', 'token'])('a user API token with AUTHZ_SOURCE=%s (finding 1)', (source) => {
    const g = () => gateways[source];
    const bearer = async (userId: string, roles: string[] | null, permissions: string[] | null) =>
      `Bearer ${await g().token({ userId, claims: apiTokenClaims(userId, roles, permissions) })}`;

    it("scoped to fe.secure.read.roles, of an admin, reads roles and nothing else: no role writes, no member reads", async () => {
      const scoped = await bearer(USER_ALICE, [], ['fe.secure.read.roles']);
      expect((await g().http().get('/v1/roles').set('authorization', scoped)).status).toBe(200);

      const create = await g().http().post('/v1/roles').set('authorization', scoped).send({ key: 'api-token-role', name: 'By API token', level: 60 });
      expectProblem(create, 403);
      expect(create.body.reason).toBe('missing-permission');
      const remove = await g().http().delete(`/v1/roles/${ROLE_ACME_AUDITOR}`).set('authorization', scoped);
      expectProblem(remove, 403);
      expect(remove.body.reason).toBe('missing-permission');
      const member = await g().http().get(`/v1/users/${USER_BOB}`).set('authorization', scoped);
      expectProblem(member, 403);
      expect(member.body.reason).toBe('missing-permission');
      expect(await g().upstreamWrites()).toEqual([]);
    });

    it('holding a permission but naming no role has no level: every level-ruled action is 403 role-level', async () => {
      const noRoles = await bearer(USER_ALICE, [], ['fe.secure.write.roles', 'fe.secure.delete.roles']);
      const create = await g().http().post('/v1/roles').set('authorization', noRoles).send({ key: 'api-token-role', name: 'By API token', level: 60 });
      expectProblem(create, 403);
      expect(create.body.reason).toBe('role-level');
      const remove = await g().http().delete(`/v1/roles/${ROLE_ACME_AUDITOR}`).set('authorization', noRoles);
      expectProblem(remove, 403);
      expect(remove.body.reason).toBe('role-level');
      expect(await g().upstreamWrites()).toEqual([]);
    });

    it("never keeps a right its user does not have: a member's token claiming fe.secure.read.users is 403", async () => {
      const overclaiming = await bearer(USER_BOB, ['Member'], ['fe.secure.read.roles', 'fe.secure.read.users']);
      expect((await g().http().get('/v1/roles').set('authorization', overclaiming)).status).toBe(200);
      const member = await g().http().get(`/v1/users/${USER_ALICE}`).set('authorization', overclaiming);
      expectProblem(member, 403);
      expect(member.body.reason).toBe('missing-permission');
    });

    it('keeps what its claims name and its user holds: an admin token scoped to role writes creates a role', async () => {
      const scoped = await bearer(USER_ALICE, ['Admin'], ['fe.secure.write.roles']);
      const create = await g().http().post('/v1/roles').set('authorization', scoped).send({ key: 'api-token-role', name: 'By API token', level: 60 });
      expect(create.status).toBe(201);
    });
  });

  describe("removing one's own MFA needs a userToken (finding 8)", () => {
    it.each<Source>(['token', 'live'])(
      'AUTHZ_SOURCE=%s: a user API token with a fresh auth_time is 403 token-type on /v1/users/{ownId}/mfa/unenroll and on /v1/me/mfa/unenroll, and nothing is sent upstream',
      async (source) => {
        const g = gateways[source];
        const token = await g.token({ userId: USER_ALICE, authTimeSecondsAgo: 5, claims: { type: 'userApiToken', userId: USER_ALICE, sub: 'api-token-of-alice' } });
        for (const path of [`/v1/users/${USER_ALICE}/mfa/unenroll`, '/v1/me/mfa/unenroll']) {
          const answer = await g.http().post(path).set('authorization', `Bearer ${token}`);
          expectProblem(answer, 403);
          expect({ path, reason: answer.body.reason }).toEqual({ path, reason: 'token-type' });
        }
        expect(await g.upstream.requests({ method: 'POST', path: /\/mfa\/unenroll$/ })).toEqual([]);
      },
    );

    it('the same user with a fresh userToken still removes its own MFA through the admin route', async () => {
      const token = await gateways.token.token({ userId: USER_ALICE, authTimeSecondsAgo: 5 });
      expect((await gateways.token.http().post(`/v1/users/${USER_ALICE}/mfa/unenroll`).set('authorization', `Bearer ${token}`)).status).toBe(204);
    });
  });
});
