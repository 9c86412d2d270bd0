import { claimRedisDatabase, type ClaimedRedisDatabase } from '../support/redis-database';
import { Logger } from '@nestjs/common';
import {
  PERM_READ_ROLES, PERM_REPORTS_READ, PERM_REPORTS_WRITE, ROLE_ACME_AUDITOR, ROLE_GLOBEX_SUPPORT, ROLE_MEMBER, TENANT_ACME,
  TENANT_GLOBEX, USER_ALICE, USER_BOB, USER_CAROL, USER_ERIN, USER_GRACE, startEmulator, type RunningEmulator,
} from '../../src/emulator';
import type { RecordedRequestFilter } from '../../src/emulator/control-client';
import { expectProblem } from '../support/assertions';
import { startGatewayOn, startTestGateway, type TestGateway } from '../support/gateway';

const ROLES = '/identity/resources/roles/v1';
const isWrite = (method: string) => method !== 'GET';

describe('tenant role administration (CONTRACT §4.2)', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());
  beforeEach(() => gateway.reset());

  type Caller = Parameters<TestGateway['token']>[0];
  const as = async (caller: Caller) => `Bearer ${await gateway.token(caller)}`;
  const alice: Caller = { userId: USER_ALICE };
  const roleWrites = async () => (await gateway.upstream.requests({ path: new RegExp(`^${ROLES}`) })).filter((call) => isWrite(call.method));
  const rolesOf = async (caller: Caller) => (await gateway.http().get('/v1/roles').set('authorization', await as(caller))).body as { id: string; key: string; level: number; permissions: string[] }[];

  describe('GET /v1/permissions', () => {
    it('answers the catalogue in the contract shape', async () => {
      const response = await gateway.http().get('/v1/permissions').set('authorization', await as({ userId: USER_BOB }));
      expect(response.status).toBe(200);
      expect(response.body).toContainEqual({ id: PERM_READ_ROLES, key: 'fe.secure.read.roles', name: expect.any(String), description: expect.any(String), categoryId: 'cat-fe-secure' });
      for (const permission of response.body) expect(Object.keys(permission).sort()).toEqual(['categoryId', 'description', 'id', 'key', 'name']);
    });

    it('needs fe.secure.read.roles', async () => {
      expectProblem(await gateway.http().get('/v1/permissions').set('authorization', await as({ claims: { permissions: [] } })), 403);
    });
  });

  describe('POST /v1/roles', () => {
    const create = async (caller: Caller, body: object) => gateway.http().post('/v1/roles').set('authorization', await as(caller)).send(body);

    it('creates the role in the caller tenant: 201, exactly one upstream call, visible at once', async () => {
      const before = await rolesOf(alice); // warms the cache
      const response = await create(alice, { key: 'billing', name: 'Billing', description: 'Invoices', level: 40 });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ key: 'billing', name: 'Billing', description: 'Invoices', level: 40, isDefault: false, permissions: [] });
      const [call, ...others] = await roleWrites();
      expect(others).toEqual([]);
      expect(call).toMatchObject({ method: 'POST', path: ROLES, body: [{ key: 'billing', name: 'Billing', description: 'Invoices', level: 40 }] });
      expect(call.headers['frontegg-tenant-id']).toBe(TENANT_ACME);
      expect((await rolesOf(alice)).map((role) => role.key)).toEqual([...before.map((role) => role.key), 'billing']);
    });

    it.each<[string, Caller, object, number]>([
      ['a caller without fe.secure.write.roles', { userId: USER_BOB }, { key: 'x', name: 'X', level: 60 }, 403],
      ['a role stronger than the caller', { userId: USER_GRACE, claims: { permissions: ['fe.secure.*'] } }, { key: 'x', name: 'X', level: 29 }, 403],
      ['an unknown property', alice, { key: 'x', name: 'X', level: 60, tenantId: TENANT_GLOBEX }, 400],
      ['migrateRole (not the caller\'s to set)', alice, { key: 'x', name: 'X', level: 60, migrateRole: true }, 400],
      ['a missing level', alice, { key: 'x', name: 'X' }, 400],
      ['a level out of range', alice, { key: 'x', name: 'X', level: 40000 }, 400],
      ['an array body', alice, [{ key: 'x', name: 'X', level: 60 }], 400],
    ])('refuses %s with %i and writes nothing upstream', async (_case, caller, body, status) => {
      expectProblem(await create(caller, body), status);
      expect(await roleWrites()).toEqual([]);
    });

    it('lets a caller create a role exactly as strong as its own', async () => {
      expect((await create({ userId: USER_GRACE, claims: { permissions: ['fe.secure.*'] } }, { key: 'peer', name: 'Peer', level: 30 })).status).toBe(201);
    });

    it('shows the new role to the next read when a read that started before the creation answers after it (issue 11, fault 6)', async () => {
      await expectNextReadSeesCreation(gateway, gateway);
    });

    describe('when the upstream creates the role outside the caller tenant (issue 11, fault 7)', () => {
      const keysOf = (roles: { key: string }[]) => roles.map((role) => role.key);
      // The upstream drops `frontegg-tenant-id` on the next creation: the role comes out environment-wide.
      const ignoreTenantOnNextCreation = () => gateway.upstream.injectFault({ method: 'POST', path: ROLES, ignoreTenantHeader: true, count: 1 });

      it('deletes what it created, environment-wide, and answers 502', async () => {
        await rolesOf(alice); // warms the cache
        await ignoreTenantOnNextCreation();
        const errors = jest.spyOn(Logger.prototype, 'error');
        try {
          const response = await create(alice, { key: 'billing', name: 'Billing', level: 40 });
          expectProblem(response, 502);
          expect(JSON.stringify(response.body)).not.toContain(gateway.emulator.url);

          const [creation, removal, ...others] = await roleWrites();
          expect(creation.headers['frontegg-tenant-id']).toBe(TENANT_ACME); // the gateway asked for its tenant
          expect(removal).toMatchObject({ method: 'DELETE', path: expect.stringMatching(new RegExp(`^${ROLES}/role-`)) });
          expect(removal.headers['frontegg-tenant-id']).toBeUndefined(); // an environment-wide role belongs to no tenant
          expect(others).toEqual([]);
          expect(keysOf(await gateway.upstream.listRoles())).not.toContain('billing');
          expect(keysOf(await rolesOf(alice))).not.toContain('billing');
          expect(errors).toHaveBeenCalledWith(expect.objectContaining({ roleId: removal.path.split('/').pop(), deleted: true }), expect.any(String));
        } finally {
          errors.mockRestore();
        }
      });

      it('still answers 502 when the delete fails, and logs the role for an operator to remove', async () => {
        await ignoreTenantOnNextCreation();
        await gateway.upstream.injectFault({ method: 'DELETE', path: `${ROLES}/*`, status: 500, count: 1 });
        const errors = jest.spyOn(Logger.prototype, 'error');
        try {
          expectProblem(await create(alice, { key: 'billing', name: 'Billing', level: 40 }), 502);
          const left = (await gateway.upstream.listRoles()).find((role) => role.key === 'billing');
          expect(left).toBeDefined();
          expect(left?.tenantId || null).toBeNull(); // environment-wide: no tenant
          expect(errors).toHaveBeenCalledWith(expect.objectContaining({ roleId: left?.id, deleted: false }), expect.stringContaining(left?.id ?? '?'));
          expect(keysOf(await rolesOf(alice))).toContain('billing'); // environment-wide now: every tenant lists it
        } finally {
          errors.mockRestore();
        }
      });
    });
  });

  describe('PATCH /v1/roles/{roleId}', () => {
    const patch = async (caller: Caller, roleId: string, body: object) =>
      gateway.http().patch(`/v1/roles/${roleId}`).set('authorization', await as(caller)).send(body);

    it('changes a role of the caller tenant: 200 with the role, the tenant header upstream, visible at once', async () => {
      await rolesOf(alice);
      const response = await patch(alice, ROLE_ACME_AUDITOR, { name: 'Auditor', level: 35 });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: ROLE_ACME_AUDITOR, name: 'Auditor', level: 35 });
      const [call, ...others] = await roleWrites();
      expect(others).toEqual([]);
      expect(call).toMatchObject({ method: 'PATCH', path: `${ROLES}/${ROLE_ACME_AUDITOR}`, body: { name: 'Auditor', level: 35 } });
      expect(call.headers['frontegg-tenant-id']).toBe(TENANT_ACME);
      expect((await rolesOf(alice)).find((role) => role.id === ROLE_ACME_AUDITOR)).toMatchObject({ level: 35 });
    });

    it.each<[string, Caller, string, object, number]>([
      ['without fe.secure.write.roles', { userId: USER_BOB }, ROLE_ACME_AUDITOR, { name: 'X' }, 403],
      ["another tenant's role", alice, ROLE_GLOBEX_SUPPORT, { name: 'X' }, 404],
      ['a role that does not exist', alice, 'role-nope', { name: 'X' }, 404],
      ['an environment-wide role', alice, ROLE_MEMBER, { name: 'X' }, 403],
      ['a role stronger than the caller', { userId: USER_BOB, claims: { permissions: ['fe.secure.*'] } }, ROLE_ACME_AUDITOR, { name: 'X' }, 403],
      ['a new level stronger than the caller', { userId: USER_GRACE, claims: { permissions: ['fe.secure.*'] } }, ROLE_ACME_AUDITOR, { level: 5 }, 403],
      ['a member of two tenants acting on the other one', { userId: USER_ERIN, tenantId: TENANT_GLOBEX, claims: { permissions: ['fe.secure.*'], roles: ['Admin'] } }, ROLE_ACME_AUDITOR, { name: 'X' }, 404],
      ['an empty body', alice, ROLE_ACME_AUDITOR, {}, 400],
      ['an unknown property', alice, ROLE_ACME_AUDITOR, { tenantId: TENANT_GLOBEX }, 400],
      ['an invalid role id', alice, 'bad.id', { name: 'X' }, 400],
      ['an encoded path traversal', alice, '..%2F..%2Fusers', { name: 'X' }, 400],
    ])('refuses %s with %i and writes nothing upstream', async (_case, caller, roleId, body, status) => {
      expectProblem(await patch(caller, roleId, body), status);
      expect(await roleWrites()).toEqual([]);
    });

    it("does not reveal another tenant's role: the same answer as a missing one", async () => {
      const theirs = await patch(alice, ROLE_GLOBEX_SUPPORT, { name: 'X' });
      const missing = await patch(alice, 'role-nope', { name: 'X' });
      expect(theirs.body.detail).toBe(missing.body.detail);
    });
  });

  describe('DELETE /v1/roles/{roleId}', () => {
    const remove = async (caller: Caller, roleId: string) => gateway.http().delete(`/v1/roles/${roleId}`).set('authorization', await as(caller));

    it('deletes a role of the caller tenant: 204, gone from reads and from its members', async () => {
      await rolesOf(alice);
      const response = await remove(alice, ROLE_ACME_AUDITOR);
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      const [call] = await roleWrites();
      expect(call).toMatchObject({ method: 'DELETE', path: `${ROLES}/${ROLE_ACME_AUDITOR}` });
      expect(call.headers['frontegg-tenant-id']).toBe(TENANT_ACME);
      expect((await rolesOf(alice)).map((role) => role.id)).not.toContain(ROLE_ACME_AUDITOR);
      const grace = await gateway.http().get(`/v1/users/${USER_GRACE}`).set('authorization', await as(alice));
      expect(grace.body.roles).toEqual([]);
    });

    it.each<[string, Caller, string, number]>([
      ['without fe.secure.delete.roles', { userId: USER_ALICE, claims: { permissions: ['fe.secure.write.roles', 'fe.secure.read.roles'] } }, ROLE_ACME_AUDITOR, 403],
      ["another tenant's role", alice, ROLE_GLOBEX_SUPPORT, 404],
      ['an environment-wide role', alice, ROLE_MEMBER, 403],
      ['a role stronger than the caller', { userId: USER_BOB, claims: { permissions: ['fe.secure.*'] } }, ROLE_ACME_AUDITOR, 403],
      ['an admin of another tenant', { userId: USER_CAROL, claims: { permissions: ['fe.secure.*'] } }, ROLE_ACME_AUDITOR, 404],
    ])('refuses %s with %i and writes nothing upstream', async (_case, caller, roleId, status) => {
      expectProblem(await remove(caller, roleId), status);
      expect(await roleWrites()).toEqual([]);
    });
  });

  describe('PUT /v1/roles/{roleId}/permissions', () => {
    const put = async (caller: Caller, roleId: string, body: object) =>
      gateway.http().put(`/v1/roles/${roleId}/permissions`).set('authorization', await as(caller)).send(body);

    it('replaces the permissions: 200 with the role, the exact set upstream, visible at once', async () => {
      await rolesOf(alice);
      const response = await put(alice, ROLE_ACME_AUDITOR, { permissionIds: [PERM_READ_ROLES, PERM_REPORTS_WRITE, PERM_READ_ROLES] });
      expect(response.status).toBe(200);
      expect(response.body.permissions.sort()).toEqual([PERM_READ_ROLES, PERM_REPORTS_WRITE].sort());
      const [call, ...others] = await roleWrites();
      expect(others).toEqual([]);
      expect(call).toMatchObject({ method: 'PUT', path: `${ROLES}/${ROLE_ACME_AUDITOR}/permissions`, body: { permissionIds: [PERM_READ_ROLES, PERM_REPORTS_WRITE] } });
      expect(call.headers['frontegg-tenant-id']).toBe(TENANT_ACME);
      const role = (await rolesOf(alice)).find((candidate) => candidate.id === ROLE_ACME_AUDITOR);
      expect(role?.permissions.sort()).toEqual([PERM_READ_ROLES, PERM_REPORTS_WRITE].sort());
    });

    it('honours wildcard grants for what the caller holds', async () => {
      const caller = { userId: USER_ALICE, claims: { permissions: ['fe.secure.*', 'app.*'] } };
      expect((await put(caller, ROLE_ACME_AUDITOR, { permissionIds: [PERM_REPORTS_WRITE] })).status).toBe(200);
    });

    it.each<[string, Caller, string, object, number]>([
      ['without fe.secure.write.roles', { userId: USER_BOB }, ROLE_ACME_AUDITOR, { permissionIds: [PERM_READ_ROLES] }, 403],
      ["another tenant's role", alice, ROLE_GLOBEX_SUPPORT, { permissionIds: [PERM_READ_ROLES] }, 404],
      ['an environment-wide role', alice, ROLE_MEMBER, { permissionIds: [PERM_READ_ROLES] }, 403],
      ['a role stronger than the caller', { userId: USER_BOB, claims: { permissions: ['fe.secure.*', 'app.*'] } }, ROLE_ACME_AUDITOR, { permissionIds: [PERM_READ_ROLES] }, 403],
      ['an unknown permission id', alice, ROLE_ACME_AUDITOR, { permissionIds: ['perm-nope'] }, 400],
      ['a permission id that is not an id', alice, ROLE_ACME_AUDITOR, { permissionIds: ['../x'] }, 400],
      ['a missing permissionIds', alice, ROLE_ACME_AUDITOR, {}, 400],
    ])('refuses %s with %i and writes nothing upstream', async (_case, caller, roleId, body, status) => {
      expectProblem(await put(caller, roleId, body), status);
      expect(await roleWrites()).toEqual([]);
    });

    it('names the unknown permission ids of a 400, so a frontend can point at them', async () => {
      const unknown = await put(alice, ROLE_ACME_AUDITOR, { permissionIds: [PERM_READ_ROLES, 'perm-nope', 'perm-gone'] });
      expectProblem(unknown, 400);
      expect(unknown.body).toMatchObject({ detail: 'unknown permission ids: perm-nope, perm-gone', unknownPermissionIds: ['perm-nope', 'perm-gone'] });
      // Keys where ids belong (the likeliest mistake) are named too, before any upstream call.
      const keys = await put(alice, ROLE_ACME_AUDITOR, { permissionIds: [PERM_READ_ROLES, 'app.reports.read'] });
      expectProblem(keys, 400);
      expect(keys.body.detail).toBe('permissionIds must be permission ids (the id of items of GET /v1/permissions), not keys: app.reports.read');
      expect(await roleWrites()).toEqual([]);
    });

    it('refuses to grant a permission the caller does not hold, naming it', async () => {
      const caller = { userId: USER_ALICE, claims: { permissions: ['fe.secure.*', 'app.reports.read'] } };
      const response = await put(caller, ROLE_ACME_AUDITOR, { permissionIds: [PERM_REPORTS_READ, PERM_REPORTS_WRITE] });
      expectProblem(response, 403);
      expect(response.body.detail).toBe('you cannot grant permissions you do not hold: app.reports.write');
      expect(await roleWrites()).toEqual([]);
    });
  });
});

describe('role reads racing role changes on instances sharing Redis (issue 11, fault 6)', () => {
  let database: ClaimedRedisDatabase;
  let emulator: RunningEmulator;
  let first: TestGateway;
  let second: TestGateway;

  beforeAll(async () => {
    database = await claimRedisDatabase();
    emulator = await startEmulator();
    const shared = { REDIS_URL: database.url };
    first = await startGatewayOn(emulator, shared);
    second = await startGatewayOn(emulator, shared);
  });
  afterAll(async () => {
    await first?.reset();
    await Promise.all([first?.close(), second?.close()]);
    await database?.release();
    await emulator?.close();
  });
  beforeEach(() => first.reset());

  it('a read held on one instance while another creates a role does not hide the role from either', async () => {
    await expectNextReadSeesCreation(first, second);
    const token = `Bearer ${await first.token({ userId: USER_ALICE })}`;
    const throughSecond = await second.http().get('/v1/roles').set('authorization', token);
    expect(throughSecond.body.map((role: { key: string }) => role.key)).toContain('billing');
  });
});

/** Bounded wait until the emulator has received a request matching `filter`. */
async function untilUpstreamSaw(gateway: TestGateway, filter: RecordedRequestFilter): Promise<void> {
  const deadline = Date.now() + 5_000;
  while ((await gateway.upstream.requests(filter)).length === 0) {
    if (Date.now() > deadline) throw new Error(`the upstream never received ${JSON.stringify(filter)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A `GET /v1/roles` through `reader` whose upstream answer was read before a `POST /v1/roles`
 * through `writer` and arrives after it: the next read through `reader` must show the new role.
 */
async function expectNextReadSeesCreation(reader: TestGateway, writer: TestGateway): Promise<void> {
  const token = `Bearer ${await reader.token({ userId: USER_ALICE })}`;
  const answeredBeforeTheChange = await reader.upstream.listRoles(TENANT_ACME);
  await reader.upstream.injectFault({ method: 'GET', path: ROLES, status: 200, body: answeredBeforeTheChange, latencyMs: 1_000, count: 1 });
  const early = reader.http().get('/v1/roles').set('authorization', token).then((response) => response);
  await untilUpstreamSaw(reader, { method: 'GET', path: ROLES });

  const created = await writer.http().post('/v1/roles').set('authorization', token).send({ key: 'billing', name: 'Billing', level: 40 });
  expect(created.status).toBe(201);
  expect((await early).status).toBe(200);

  const next = await reader.http().get('/v1/roles').set('authorization', token);
  expect(next.status).toBe(200);
  expect(next.body.map((role: { key: string }) => role.key)).toContain('billing');
}
