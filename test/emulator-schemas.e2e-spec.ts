import type { SchemaObject } from 'ajv';
import request from 'supertest';
import {
  DEV_PASSWORD,
  EmulatorControlClient,
  PERM_READ_ROLES,
  ROLE_ACME_AUDITOR,
  ROLE_MEMBER,
  startEmulator,
  TENANT_ACME,
  TENANT_GLOBEX,
  USER_BOB,
  USER_DISABLED,
  USER_ERIN,
  USER_EXPIRED,
  USER_LOCKED,
  type RunningEmulator,
} from '../src/emulator';
import { fronteggResponseSchemas } from '../src/emulator/schemas/frontegg.schemas';
import { createAjv } from '../src/emulator/validation';

const ROLES = '/identity/resources/roles/v1';
const ajv = createAjv();
/** Seeded users whose sign-in is refused: locked, disabled membership, expired membership. */
const REFUSED_SIGN_INS = new Set([USER_LOCKED, USER_DISABLED, USER_EXPIRED]);

/** Fails with ajv's own report, so a drift names the field. */
function expectToMatch(schema: SchemaObject, body: unknown): void {
  const validate = ajv.compile(schema);
  const valid = validate(body);
  expect(valid ? [] : validate.errors).toEqual([]);
}

describe('every emulator answer matches the Frontegg response schemas', () => {
  let emulator: RunningEmulator;
  let control: EmulatorControlClient;
  let token: string;

  const api = () => request(emulator.url);
  const management = (call: request.Test) => call.set('authorization', `Bearer ${token}`);

  beforeAll(async () => {
    emulator = await startEmulator();
    control = new EmulatorControlClient(emulator.url);
  });
  afterAll(() => emulator.close());
  beforeEach(async () => {
    await control.reset();
    token = (await control.vendorToken(emulator.clientId, emulator.apiKey)).token;
  });

  it('POST /auth/vendor: VendorAuthenticationResponse', async () => {
    const { body } = await api()
      .post('/auth/vendor')
      .send({ clientId: emulator.clientId, secret: emulator.apiKey })
      .expect(200);
    expectToMatch(fronteggResponseSchemas.vendorAuthentication, body);
  });

  it('POST /identity/resources/auth/v1/user: AuthenticationResponseDto (error body if refused), every seeded user', async () => {
    for (const user of emulator.users) {
      const refused = REFUSED_SIGN_INS.has(user.id);
      const { body } = await api()
        .post('/identity/resources/auth/v1/user')
        .send({ email: user.email, password: user.password })
        .expect(refused ? 401 : 200);
      expectToMatch(refused ? fronteggResponseSchemas.error : fronteggResponseSchemas.authentication, body);
    }
  });

  it('GET /identity/resources/configurations/v1: VendorConfigResponse', async () => {
    const { body } = await management(api().get('/identity/resources/configurations/v1')).expect(200);
    expectToMatch(fronteggResponseSchemas.vendorConfig, body);
  });

  it('GET roles, unscoped and per tenant: RoleResponse[]', async () => {
    for (const tenantId of [undefined, TENANT_ACME, TENANT_GLOBEX]) {
      const call = management(api().get(ROLES));
      const { body } = await (tenantId ? call.set('frontegg-tenant-id', tenantId) : call).expect(200);
      expect(body.length).toBeGreaterThan(0);
      expectToMatch(fronteggResponseSchemas.roles, body);
    }
  });

  it('POST roles, with and without optional fields: RoleResponse[]', async () => {
    const { body } = await management(api().post(ROLES))
      .set('frontegg-tenant-id', TENANT_ACME)
      .send([
        { key: 'minimal', name: 'Minimal', level: 40 },
        {
          key: 'complete',
          name: 'Complete',
          description: 'All fields',
          isDefault: true,
          firstUserRole: true,
          migrateRole: false,
          level: 41,
        },
      ])
      .expect(201);
    expectToMatch(fronteggResponseSchemas.roles, body);
  });

  it('PATCH role and PUT role permissions: RoleResponse', async () => {
    const patched = await management(api().patch(`${ROLES}/${ROLE_ACME_AUDITOR}`))
      .send({ key: 'auditor', level: 31 })
      .expect(200);
    expectToMatch(fronteggResponseSchemas.role, patched.body);
    const assigned = await management(api().put(`${ROLES}/${ROLE_MEMBER}/permissions`))
      .send({ permissionIds: [PERM_READ_ROLES] })
      .expect(200);
    expectToMatch(fronteggResponseSchemas.role, assigned.body);
  });

  it('GET permissions: PermissionResponse[]', async () => {
    const { body } = await management(api().get('/identity/resources/permissions/v1')).expect(200);
    expectToMatch(fronteggResponseSchemas.permissions, body);
  });

  it('GET user: UserDto, for every seeded user, before and after signing in', async () => {
    for (const user of emulator.users) {
      const before = await management(api().get(`/identity/resources/vendor-only/users/v1/${user.id}`)).expect(200);
      expectToMatch(fronteggResponseSchemas.user, before.body);
      if (!REFUSED_SIGN_INS.has(user.id)) await control.login(user.email, DEV_PASSWORD);
      const after = await management(api().get(`/identity/resources/vendor-only/users/v1/${user.id}`)).expect(200);
      expectToMatch(fronteggResponseSchemas.user, after.body);
    }
  });

  it('PUT user, including every optional field and a null picture: UserDto', async () => {
    const { body } = await management(api().put(`/identity/resources/users/v1/${USER_BOB}`))
      .send({
        name: 'Robert',
        phoneNumber: '+15550109999',
        profilePictureUrl: null,
        metadata: '{"lang":"en"}',
        vendorMetadata: '{"tier":"gold"}',
        mfaBypass: false,
        externalId: 'ext-bob',
      })
      .expect(200);
    expectToMatch(fronteggResponseSchemas.user, body);
  });

  it('GET user after lock, disable and removal from one of two tenants: UserDto', async () => {
    await management(api().post(`/identity/resources/users/v1/${USER_BOB}/lock`)).expect(200);
    await management(api().post(`/identity/resources/tenants/users/v1/${USER_BOB}/disable`))
      .set('frontegg-tenant-id', TENANT_ACME)
      .expect(200);
    const bob = await management(api().get(`/identity/resources/vendor-only/users/v1/${USER_BOB}`)).expect(200);
    expect(bob.body).toMatchObject({ isLocked: true, tenants: [expect.objectContaining({ isDisabled: true })] });
    expectToMatch(fronteggResponseSchemas.user, bob.body);

    await management(api().delete(`/identity/resources/users/v1/${USER_ERIN}`))
      .set('frontegg-tenant-id', TENANT_ACME)
      .expect(200);
    const erin = await management(api().get(`/identity/resources/vendor-only/users/v1/${USER_ERIN}`)).expect(200);
    expectToMatch(fronteggResponseSchemas.user, erin.body);
  });

  it('GET users v3, per tenant and environment-wide, every page: the pagination wrapper of UserV3Dto', async () => {
    for (const tenantId of [TENANT_ACME, TENANT_GLOBEX, undefined]) {
      for (let page = 0; ; page++) {
        const call = management(api().get('/identity/resources/users/v3').query({ _limit: 20, _offset: page, _sortBy: 'name', _order: 'DESC' }));
        const { body } = await (tenantId ? call.set('frontegg-tenant-id', tenantId) : call).expect(200);
        expectToMatch(fronteggResponseSchemas.usersPage, body);
        if (body._links.next === '') break;
      }
    }
  });

  it('POST users v2 (new user, user of another tenant): UserCreatedResponse; then role assignment both ways', async () => {
    for (const invitation of [
      { email: 'new@acme.test', metadata: '{}', name: 'New', roleIds: [ROLE_ACME_AUDITOR], skipInviteEmail: true },
      { email: 'dave@globex.test', metadata: '{"a":1}' },
    ]) {
      const { body } = await management(api().post('/identity/resources/users/v2')).set('frontegg-tenant-id', TENANT_ACME).send(invitation).expect(201);
      expectToMatch(fronteggResponseSchemas.userCreated, body);
    }
    const roles = `/identity/resources/users/v1/${USER_BOB}/roles`;
    const assigned = await management(api().post(roles)).set('frontegg-tenant-id', TENANT_ACME).send({ roleIds: [ROLE_ACME_AUDITOR] }).expect(201);
    expectToMatch(fronteggResponseSchemas.userRoles, assigned.body);
    const unassigned = await management(api().delete(roles)).set('frontegg-tenant-id', TENANT_ACME).send({ roleIds: [ROLE_MEMBER] }).expect(200);
    expectToMatch(fronteggResponseSchemas.userRoles, unassigned.body);
    const bob = await management(api().get(`/identity/resources/vendor-only/users/v1/${USER_BOB}`)).expect(200);
    expect(bob.body.tenants[0].roles.map((role: { id: string }) => role.id)).toEqual([ROLE_ACME_AUDITOR]);
  });

  it("GET a user's tenants: UserTenantDataDto[]; PUT the active tenant: UserDto", async () => {
    const tenants = await management(api().get('/identity/resources/users/v2/me/tenants')).set('frontegg-user-id', USER_ERIN).expect(200);
    expectToMatch(fronteggResponseSchemas.userTenants, tenants.body);
    expect(tenants.body.map((tenant: { tenantId: string }) => tenant.tenantId)).toEqual([TENANT_ACME, TENANT_GLOBEX]);
    const switched = await management(api().put('/identity/resources/users/v1/tenant'))
      .set({ 'frontegg-user-id': USER_ERIN, 'frontegg-tenant-id': TENANT_ACME })
      .send({ tenantId: TENANT_GLOBEX })
      .expect(200);
    expectToMatch(fronteggResponseSchemas.user, switched.body);
    expect(switched.body.tenantId).toBe(TENANT_GLOBEX);
  });

  it('members operations refuse what the document does not allow, with the error body', async () => {
    const answers = await Promise.all([
      management(api().get('/identity/resources/users/v3').query({ _limit: 500 })).expect(400),
      management(api().post('/identity/resources/users/v2')).set('frontegg-tenant-id', TENANT_ACME).send({ email: 'not-an-email', metadata: '{}' }).expect(400),
      management(api().post('/identity/resources/users/v2')).set('frontegg-tenant-id', TENANT_ACME).send({ email: 'x@acme.test' }).expect(400),
      management(api().post('/identity/resources/users/v2')).set('frontegg-tenant-id', TENANT_ACME).send({ email: 'bob@acme.test', metadata: '{}' }).expect(409),
      management(api().post(`/identity/resources/users/v1/${USER_BOB}/roles`)).send({ roleIds: [ROLE_MEMBER] }).expect(400),
      management(api().delete(`/identity/resources/users/v1/${USER_BOB}/roles`)).set('frontegg-tenant-id', TENANT_GLOBEX).send({ roleIds: [ROLE_MEMBER] }).expect(404),
      management(api().get('/identity/resources/users/v2/me/tenants')).expect(400),
      management(api().put('/identity/resources/users/v1/tenant')).set({ 'frontegg-user-id': USER_BOB, 'frontegg-tenant-id': TENANT_ACME }).send({ tenantId: TENANT_GLOBEX }).expect(404),
    ]);
    answers.forEach(({ body }) => expectToMatch(fronteggResponseSchemas.error, body));
  });

  it('errors (400, 401, 404): Frontegg error body', async () => {
    const answers = await Promise.all([
      api().post('/auth/vendor').send({}).expect(400),
      api().post('/auth/vendor').send({ clientId: 'x', secret: 'y' }).expect(401),
      api().get(ROLES).expect(401),
      management(api().patch(`${ROLES}/role-nope`)).send({}).expect(404),
      management(api().put(`/identity/resources/users/v1/${USER_BOB}`)).send({ email: 'x@y.test' }).expect(400),
      api().get('/nowhere').expect(404),
      management(api().post(`/identity/resources/tenants/users/v1/${USER_BOB}/disable`)).expect(400),
      management(api().post(`/identity/resources/tenants/users/v1/${USER_BOB}/enable`))
        .set('frontegg-tenant-id', TENANT_GLOBEX)
        .expect(404),
      management(api().post('/identity/resources/users/v1/user-nobody/lock')).expect(404),
    ]);
    answers.forEach(({ body }) => expectToMatch(fronteggResponseSchemas.error, body));
  });

  describe('the response schemas have teeth', () => {
    let role: Record<string, unknown>;
    beforeEach(async () => {
      role = (await management(api().get(ROLES)).expect(200)).body[0];
    });

    it.each([
      ['a missing required field', (valid: Record<string, unknown>) => ({ ...valid, vendorId: undefined })],
      ['a wrong type', (valid: Record<string, unknown>) => ({ ...valid, level: '10' })],
      ['an undocumented field', (valid: Record<string, unknown>) => ({ ...valid, extra: true })],
      ['a malformed date', (valid: Record<string, unknown>) => ({ ...valid, createdAt: 'yesterday' })],
    ])('refuse a role with %s', (_case, corrupt) => {
      const validate = ajv.compile(fronteggResponseSchemas.role);
      expect(validate(JSON.parse(JSON.stringify(corrupt(role))))).toBe(false);
    });
  });
});
