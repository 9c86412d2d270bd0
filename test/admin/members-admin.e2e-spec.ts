import { Logger } from '@nestjs/common';
import {
  ROLE_ACME_AUDITOR,
  ROLE_ADMIN,
  ROLE_GLOBEX_SUPPORT,
  ROLE_MEMBER,
  TENANT_ACME,
  USER_ALICE,
  USER_BOB,
  USER_CAROL,
  USER_ERIN,
  USER_FRANK,
  USER_GRACE,
  USER_HENRY,
  USER_SUPPORT,
} from '../../src/emulator';
import { expectProblem } from '../support/assertions';
import { startTestGateway, type TestGateway } from '../support/gateway';

type Caller = Parameters<TestGateway['token']>[0];
const alice: Caller = { userId: USER_ALICE };
/** Level 40 (acme-helpdesk), writes users; also allowed to remove them here, to reach the level rules. */
const henry: Caller = {
  userId: USER_HENRY,
  claims: { permissions: ['fe.secure.read.roles', 'fe.secure.read.users', 'fe.secure.write.users', 'fe.secure.delete.users', 'app.reports.read'] },
};
const grace: Caller = { userId: USER_GRACE };
const USERS_V2 = '/identity/resources/users/v2';
const rolesPath = (userId: string) => `/identity/resources/users/v1/${userId}/roles`;
/** A valid address of exactly `length` characters. */
const emailOf = (length: number) => `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(length - 64 - 1 - 63 - 1 - 63 - 1 - 5)}.test`;

describe('member administration (CONTRACT §4.3)', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ UPSTREAM_TIMEOUT_MS: '300', REQUEST_DEADLINE_MS: '2000' });
  });
  afterAll(() => gateway.close());
  beforeEach(() => gateway.reset());
  afterEach(() => jest.restoreAllMocks());

  const as = async (caller: Caller) => `Bearer ${await gateway.token(caller)}`;
  const invite = async (caller: Caller, body: unknown) => gateway.http().post('/v1/users').set('authorization', await as(caller)).send(body as object);
  const remove = async (caller: Caller, userId: string) => gateway.http().delete(`/v1/users/${userId}`).set('authorization', await as(caller));
  const setRoles = async (caller: Caller, userId: string, body: unknown) =>
    gateway.http().put(`/v1/users/${userId}/roles`).set('authorization', await as(caller)).send(body as object);
  const rolesOf = async (userId: string, caller: Caller = alice) =>
    ((await gateway.http().get(`/v1/users/${userId}`).set('authorization', await as(caller))).body.roles ?? []).map((role: { id: string }) => role.id).sort();
  const writes = async () =>
    (await gateway.upstream.requests()).filter((request) => request.method !== 'GET' && request.path.startsWith('/identity/resources/users'));
  /** A tenant-acme role of level 45 (within Henry's reach) granting app.reports.write, which Henry does not hold. */
  const reportsWriterRole = async (): Promise<string> => {
    const created = await gateway.http().post('/v1/roles').set('authorization', await as(alice)).send({ key: 'reports-writer', name: 'Reports writer', level: 45 });
    await gateway.http().put(`/v1/roles/${created.body.id}/permissions`).set('authorization', await as(alice)).send({ permissionIds: ['perm-reports-write'] });
    await gateway.upstream.clearRequests();
    return created.body.id as string;
  };

  describe('POST /v1/users (invite)', () => {
    it('invites a new user with the roles named: 201 Member, one upstream call with exactly CreateUserDto', async () => {
      const response = await invite(alice, { email: 'new@acme.test', name: 'New Person', roleIds: [ROLE_ACME_AUDITOR], skipInviteEmail: true });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ email: 'new@acme.test', name: 'New Person', roles: [{ id: ROLE_ACME_AUDITOR, key: 'acme-auditor', name: 'Acme auditor' }] });
      const [call] = await writes();
      expect(call).toMatchObject({ method: 'POST', path: USERS_V2 });
      expect(call.headers['frontegg-tenant-id']).toBe(TENANT_ACME);
      expect(call.body).toEqual({ email: 'new@acme.test', name: 'New Person', metadata: '{}', roleIds: [ROLE_ACME_AUDITOR], skipInviteEmail: true });
      expect(await rolesOf(response.body.id)).toEqual([ROLE_ACME_AUDITOR]);
    });

    it("invites without roles (the tenant's default roles), a user of another tenant, and with an environment-wide role", async () => {
      expect((await invite(alice, { email: 'plain@acme.test' })).body.roles).toEqual([expect.objectContaining({ id: ROLE_MEMBER })]);
      expect((await writes())[0].body).toEqual({ email: 'plain@acme.test', metadata: '{}' });
      expect((await invite(alice, { email: 'dave@globex.test', roleIds: [ROLE_ADMIN] })).status).toBe(201);
    });

    it('answers 409 for an email that is already a member (any case), and writes nothing', async () => {
      for (const email of ['bob@acme.test', 'BOB@Acme.test']) {
        expectProblem(await invite(alice, { email }), 409);
      }
      expect(await writes()).toEqual([]);
    });

    it.each<[string, () => Promise<[Caller, unknown]>, number, string]>([
      ['a role stronger than the caller (role-level)', async () => [henry, { email: 'x@acme.test', roleIds: [ROLE_ADMIN] }], 403, 'role-level'],
      ['a role with a permission the caller lacks (permission-escalation)', async () => [henry, { email: 'x@acme.test', roleIds: [await reportsWriterRole()] }], 403, 'permission-escalation'],
      ['a caller without fe.secure.write.users', async () => [grace, { email: 'x@acme.test' }], 403, 'missing-permission'],
    ])('refuses %s, writing nothing', async (_case, prepare, status, reason) => {
      const [caller, body] = await prepare();
      const response = await invite(caller, body);
      expectProblem(response, status);
      expect(response.body.reason).toBe(reason);
      expect(await writes()).toEqual([]);
    });

    it.each<[string, unknown, string]>([
      ['an unknown role id', { email: 'x@acme.test', roleIds: ['role-nope'] }, 'role-nope'],
      ["another tenant's role", { email: 'x@acme.test', roleIds: [ROLE_GLOBEX_SUPPORT] }, ROLE_GLOBEX_SUPPORT],
      ['21 roles', { email: 'x@acme.test', roleIds: Array.from({ length: 21 }, (_, i) => `role-${i}`) }, 'roleIds'],
      ['duplicate role ids', { email: 'x@acme.test', roleIds: [ROLE_MEMBER, ROLE_MEMBER] }, 'roleIds'],
      ['a role id that is no id', { email: 'x@acme.test', roleIds: ['../admin'] }, 'roleIds'],
      ['a 255-character email', { email: emailOf(255) }, 'email'],
      ['an email that is not an address', { email: 'not-an-email' }, 'email'],
      ['no email', { name: 'Nobody' }, 'email'],
      ['an empty name', { email: 'x@acme.test', name: '' }, 'name'],
      ['a non-boolean skipInviteEmail', { email: 'x@acme.test', skipInviteEmail: 'yes' }, 'skipInviteEmail'],
      ['a tenantId property', { email: 'x@acme.test', tenantId: 'tenant-globex' }, 'tenantId'],
      ['a superUser property', { email: 'x@acme.test', superUser: true }, 'superUser'],
    ])('refuses %s with a 400 naming it, writing nothing', async (_case, body, named) => {
      const response = await invite(alice, body);
      expectProblem(response, 400);
      expect(response.body.detail).toContain(named);
      expect(await writes()).toEqual([]);
    });

    it('accepts a 254-character email', async () => {
      expect(emailOf(254)).toHaveLength(254);
      expect((await invite(alice, { email: emailOf(254) })).status).toBe(201);
    });
  });

  describe('DELETE /v1/users/{userId}', () => {
    it('removes a member from the caller tenant only: 204, one DELETE with the tenant header', async () => {
      expect((await remove(alice, USER_ERIN)).status).toBe(204);
      const [call] = await writes();
      expect(call).toMatchObject({ method: 'DELETE', path: `/identity/resources/users/v1/${USER_ERIN}` });
      expect(call.headers['frontegg-tenant-id']).toBe(TENANT_ACME);
      expectProblem(await gateway.http().get(`/v1/users/${USER_ERIN}`).set('authorization', await as(alice)), 404);
      // Still a member of tenant-globex.
      expect(await rolesOf(USER_ERIN, { userId: USER_CAROL })).toEqual([ROLE_GLOBEX_SUPPORT]);
    });

    it.each<[string, Caller, string, number, string | undefined]>([
      ["the caller's own account", alice, USER_ALICE, 403, 'own-account'],
      ['a super-user', alice, USER_FRANK, 403, 'protected-user'],
      ['a member stronger than the caller', henry, USER_ALICE, 403, 'role-level'],
      ['a caller without fe.secure.delete.users', { userId: USER_HENRY }, USER_BOB, 403, 'missing-permission'],
      ['a user of another tenant', alice, USER_CAROL, 404, undefined],
      ['an invisible member', alice, USER_SUPPORT, 404, undefined],
      ['a missing user', alice, 'user-nobody', 404, undefined],
      ['an invalid id', alice, 'user.bob', 400, undefined],
    ])('refuses %s, writing nothing', async (_case, caller, userId, status, reason) => {
      const response = await remove(caller, userId);
      expectProblem(response, status);
      expect(response.body.reason).toBe(reason);
      if (status === 404) expect(response.body.detail).toBe('user not found');
      expect(await writes()).toEqual([]);
    });
  });

  describe('PUT /v1/users/{userId}/roles', () => {
    it('sends only the difference: an added role is one POST, and nothing is unassigned', async () => {
      const response = await setRoles(alice, USER_BOB, { roleIds: [ROLE_MEMBER, ROLE_ACME_AUDITOR] });
      expect(response.status).toBe(200);
      expect(response.body.roles.map((role: { id: string }) => role.id).sort()).toEqual([ROLE_ACME_AUDITOR, ROLE_MEMBER]);
      expect((await writes()).map((call) => [call.method, call.path, call.body])).toEqual([['POST', rolesPath(USER_BOB), { roleIds: [ROLE_ACME_AUDITOR] }]]);
      expect(await rolesOf(USER_BOB)).toEqual([ROLE_ACME_AUDITOR, ROLE_MEMBER]);
    });

    it('unassigns the removed before assigning the added, each once, with the tenant header', async () => {
      expect((await setRoles(alice, USER_BOB, { roleIds: [ROLE_ACME_AUDITOR] })).status).toBe(200);
      const calls = await writes();
      expect(calls.map((call) => [call.method, call.body])).toEqual([['DELETE', { roleIds: [ROLE_MEMBER] }], ['POST', { roleIds: [ROLE_ACME_AUDITOR] }]]);
      expect(calls.every((call) => call.headers['frontegg-tenant-id'] === TENANT_ACME)).toBe(true);
      expect(await rolesOf(USER_BOB)).toEqual([ROLE_ACME_AUDITOR]);
    });

    it('sends nothing when the roles are already these', async () => {
      expect((await setRoles(alice, USER_BOB, { roleIds: [ROLE_MEMBER] })).status).toBe(200);
      expect(await writes()).toEqual([]);
    });

    it('undoes the first call when the second fails, and answers 502', async () => {
      await gateway.upstream.injectFault({ path: rolesPath(USER_BOB), status: 500, skip: 1, count: 1 });
      expectProblem(await setRoles(alice, USER_BOB, { roleIds: [ROLE_ACME_AUDITOR] }), 502);
      expect((await writes()).map((call) => [call.method, call.body])).toEqual([
        ['DELETE', { roleIds: [ROLE_MEMBER] }],
        ['POST', { roleIds: [ROLE_ACME_AUDITOR] }],
        ['POST', { roleIds: [ROLE_MEMBER] }],
      ]);
      expect(await rolesOf(USER_BOB)).toEqual([ROLE_MEMBER]);
    });

    it('logs an error naming the member and both role changes when the undo fails too, and answers 502', async () => {
      const errors = jest.spyOn(Logger.prototype, 'error');
      await gateway.upstream.injectFault({ path: rolesPath(USER_BOB), status: 500, skip: 1, count: 2 });
      expectProblem(await setRoles(alice, USER_BOB, { roleIds: [ROLE_ACME_AUDITOR] }), 502);
      expect(errors).toHaveBeenCalledWith(
        expect.objectContaining({ tenant: TENANT_ACME, actor: USER_ALICE, userId: USER_BOB, unassignedRoleIds: [ROLE_MEMBER], assignedRoleIds: [ROLE_ACME_AUDITOR] }),
        expect.stringContaining('half-done'),
      );
    });

    it.each<[string, () => Promise<[Caller, string, unknown]>, number, string | undefined]>([
      ["the caller's own account", async () => [alice, USER_ALICE, { roleIds: [ROLE_MEMBER] }], 403, 'own-account'],
      ['a super-user', async () => [alice, USER_FRANK, { roleIds: [ROLE_MEMBER] }], 403, 'protected-user'],
      ['a member stronger than the caller', async () => [henry, USER_ALICE, { roleIds: [ROLE_MEMBER] }], 403, 'role-level'],
      ['an added role stronger than the caller', async () => [henry, USER_BOB, { roleIds: [ROLE_MEMBER, ROLE_ADMIN] }], 403, 'role-level'],
      ['an added role with a permission the caller lacks', async () => [henry, USER_BOB, { roleIds: [await reportsWriterRole()] }], 403, 'permission-escalation'],
      ['a user of another tenant', async () => [alice, USER_CAROL, { roleIds: [ROLE_MEMBER] }], 404, undefined],
      ['an unknown role id', async () => [alice, USER_BOB, { roleIds: ['role-nope'] }], 400, undefined],
      ["another tenant's role", async () => [alice, USER_BOB, { roleIds: [ROLE_GLOBEX_SUPPORT] }], 400, undefined],
      ['21 roles', async () => [alice, USER_BOB, { roleIds: Array.from({ length: 21 }, (_, i) => `role-${i}`) }], 400, undefined],
      ['duplicate role ids', async () => [alice, USER_BOB, { roleIds: [ROLE_MEMBER, ROLE_MEMBER] }], 400, undefined],
      ['no roleIds', async () => [alice, USER_BOB, {}], 400, undefined],
      ['an unknown property', async () => [alice, USER_BOB, { roleIds: [], tenantId: 'tenant-globex' }], 400, undefined],
    ])('refuses %s, writing nothing', async (_case, prepare, status, reason) => {
      const [caller, userId, body] = await prepare();
      const response = await setRoles(caller, userId, body);
      expectProblem(response, status);
      expect(response.body.reason).toBe(reason);
      expect(await writes()).toEqual([]);
    });

    it('names unknown and foreign role ids in the 400', async () => {
      const response = await setRoles(alice, USER_BOB, { roleIds: ['role-nope', ROLE_GLOBEX_SUPPORT, ROLE_MEMBER] });
      expect(response.body).toMatchObject({ detail: `unknown role ids: role-nope, ${ROLE_GLOBEX_SUPPORT}`, unknownRoleIds: ['role-nope', ROLE_GLOBEX_SUPPORT] });
    });

    it('gives an environment-wide role within reach', async () => {
      expect((await setRoles(alice, USER_BOB, { roleIds: [ROLE_ADMIN] })).status).toBe(200);
      expect(await rolesOf(USER_BOB)).toEqual([ROLE_ADMIN]);
    });
  });

  describe('upstream failures of the writes (CONTRACT §6)', () => {
    type Fault = Parameters<TestGateway['upstream']['injectFault']>[0];
    const inviting = () => invite(alice, { email: 'raced@acme.test' });
    const removing = () => remove(alice, USER_BOB);
    const changingRoles = () => setRoles(alice, USER_BOB, { roleIds: [ROLE_ACME_AUDITOR] });

    it.each<[string, number, Fault, () => ReturnType<typeof inviting>]>([
      ['an invitation the upstream finds taken meanwhile (409)', 409, { method: 'POST', path: USERS_V2, status: 409, body: { errors: ['User already exists'] } }, inviting],
      ['an invitation the upstream rate-limits (429)', 503, { method: 'POST', path: USERS_V2, status: 429, headers: { 'retry-after': '9' } }, inviting],
      ['a removal of a user the upstream no longer knows (404)', 404, { method: 'DELETE', path: `/identity/resources/users/v1/${USER_BOB}`, status: 404 }, removing],
      ['a removal that fails upstream (500)', 502, { method: 'DELETE', path: `/identity/resources/users/v1/${USER_BOB}`, status: 500 }, removing],
      ['a role change whose first call fails (503), with nothing to undo', 502, { method: 'DELETE', path: rolesPath(USER_BOB), status: 503 }, changingRoles],
      ['a role change whose first call times out', 504, { method: 'DELETE', path: rolesPath(USER_BOB), latencyMs: 1500, status: 200 }, changingRoles],
    ])('answers %s with %i', async (_case, status, fault, call) => {
      await gateway.upstream.injectFault(fault);
      const response = await call();
      expectProblem(response, status);
      if (status === 503) expect(response.headers['retry-after']).toBe('9');
    });

    it('leaves the roles as they were when the first call of a role change fails', async () => {
      await gateway.upstream.injectFault({ method: 'DELETE', path: rolesPath(USER_BOB), status: 500 });
      expectProblem(await changingRoles(), 502);
      expect((await writes()).map((call) => call.method)).toEqual(['DELETE']);
      expect(await rolesOf(USER_BOB)).toEqual([ROLE_MEMBER]);
    });
  });

  it('writes the audit lines member.invite, member.remove and member.set-roles, allowed or denied', async () => {
    const lines = jest.spyOn(Logger.prototype, 'log');
    await invite(alice, { email: 'audited@acme.test' });
    await remove(alice, USER_ALICE);
    await setRoles(alice, USER_BOB, { roleIds: [ROLE_ACME_AUDITOR] });
    const audit = lines.mock.calls.map(([line]) => line as Record<string, unknown>).filter((line) => line?.audit === true);
    expect(audit.map(({ action, target, outcome }) => ({ action, target, outcome }))).toEqual([
      { action: 'member.invite', target: 'audited@acme.test', outcome: 'allowed' },
      { action: 'member.remove', target: USER_ALICE, outcome: 'denied' },
      { action: 'member.set-roles', target: USER_BOB, outcome: 'allowed' },
    ]);
  });
});
