import { createLocalJWKSet, decodeProtectedHeader, importSPKI, jwtVerify, type JSONWebKeySet } from 'jose';
import request from 'supertest';
import {
  DEV_PASSWORD,
  EmulatorControlClient,
  PERM_READ_ROLES,
  PERM_REPORTS_READ,
  PERM_REPORTS_WRITE,
  ROLE_ACME_AUDITOR,
  ROLE_ACME_HELPDESK,
  ROLE_ADMIN,
  ROLE_GLOBEX_SUPPORT,
  ROLE_MEMBER,
  startEmulator,
  TEMPORARY_MEMBERSHIP_EXPIRED_AT,
  TENANT_ACME,
  TENANT_GLOBEX,
  USER_ALICE,
  USER_BOB,
  USER_DISABLED,
  USER_ERIN,
  USER_EXPIRED,
  USER_HENRY,
  USER_LOCKED,
  USER_SUPPORT,
  type RunningEmulator,
} from '../src/emulator';

const ROLES = '/identity/resources/roles/v1';
const PERMISSIONS = '/identity/resources/permissions/v1';
const LOGIN = '/identity/resources/auth/v1/user';
const CONFIGURATIONS = '/identity/resources/configurations/v1';
const vendorUser = (userId: string) => `/identity/resources/vendor-only/users/v1/${userId}`;
const updateUserPath = (userId: string) => `/identity/resources/users/v1/${userId}`;
const tenantUserPath = (userId: string) => `/identity/resources/tenants/users/v1/${userId}`;

describe('Frontegg identity emulator API', () => {
  let emulator: RunningEmulator;
  let control: EmulatorControlClient;
  let token: string;

  const api = () => request(emulator.url);
  const authenticateVendor = () => api().post('/auth/vendor').send({ clientId: emulator.clientId, secret: emulator.apiKey });
  const vendorToken = async () => (await control.vendorToken(emulator.clientId, emulator.apiKey)).token;
  const jwks = async (): Promise<JSONWebKeySet> => (await api().get('/.well-known/jwks.json').expect(200)).body;
  const verifyUserToken = async (userToken: string) =>
    jwtVerify(userToken, createLocalJWKSet(await jwks()), {
      issuer: emulator.issuer,
      audience: emulator.audience,
      algorithms: ['RS256'],
    });
  const getUser = async (userId: string) =>
    (await api().get(vendorUser(userId)).set('authorization', `Bearer ${token}`).expect(200)).body;
  const keyOf = (role: { key: string }) => role.key;

  beforeAll(async () => {
    emulator = await startEmulator();
    control = new EmulatorControlClient(emulator.url);
  });
  afterAll(() => emulator.close());
  beforeEach(async () => {
    await control.reset();
    token = await vendorToken();
  });

  describe('startEmulator', () => {
    it('describes itself: issuer = url, audience = clientId, seeded sign-ins', () => {
      expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(emulator.issuer).toBe(emulator.url);
      expect(emulator.audience).toBe('emulator-client-id');
      expect(emulator.apiKey).toBe('emulator-api-key');
      expect(emulator.users).toHaveLength(12);
      expect(emulator.users.find((user) => user.id === USER_ERIN)).toEqual({
        id: USER_ERIN,
        email: 'erin@shared.test',
        password: DEV_PASSWORD,
        name: 'Erin Both',
        tenantIds: [TENANT_ACME, TENANT_GLOBEX],
        roles: `${TENANT_ACME}: Member; ${TENANT_GLOBEX}: globex-support`,
      });
    });
  });

  describe('POST /auth/vendor', () => {
    it('answers a token and its lifetime for the right credentials', async () => {
      const { body } = await authenticateVendor().expect(200);
      expect(body).toEqual({ token: expect.any(String), expiresIn: 3600 });
    });

    it('answers 401 for wrong credentials', async () => {
      const { body } = await api().post('/auth/vendor').send({ clientId: emulator.clientId, secret: 'wrong' }).expect(401);
      expect(body).toEqual({ errors: ['Invalid authentication'] });
    });

    it('answers 400 for an invalid body', async () => {
      const { body } = await api().post('/auth/vendor').send({ clientId: emulator.clientId }).expect(400);
      expect(body).toEqual({ errors: ['secret is required'] });
      await api().post('/auth/vendor').send({ clientId: emulator.clientId, secret: 42 }).expect(400);
    });
  });

  describe('vendor token on management routes', () => {
    it('is accepted as Authorization: Bearer (any case) and as x-access-token', async () => {
      await api().get(PERMISSIONS).set('authorization', `Bearer ${token}`).expect(200);
      await api().get(PERMISSIONS).set('authorization', `bearer ${token}`).expect(200);
      await api().get(PERMISSIONS).set('x-access-token', token).expect(200);
    });

    it('answers 401 when missing or unknown, before validating the body', async () => {
      const missing = await api().get(PERMISSIONS).expect(401);
      expect(missing.body).toEqual({ errors: ['Unauthorized'] });
      await api().get(PERMISSIONS).set('authorization', 'Bearer not-issued').expect(401);
      await api().get(PERMISSIONS).set('x-access-token', 'not-issued').expect(401);
      await api().get(PERMISSIONS).set('authorization', `Basic ${token}`).expect(401);
      await api().post(ROLES).send({ not: 'an array' }).expect(401);
    });

    it('expires after its lifetime, which settings can shorten', async () => {
      await control.settings({ vendorTokenTtlSeconds: 1 });
      const { body } = await authenticateVendor().expect(200);
      expect(body.expiresIn).toBe(1);
      await api().get(PERMISSIONS).set('x-access-token', body.token).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await api().get(PERMISSIONS).set('x-access-token', body.token).expect(401);
    });

    it('stops working at once when the controls expire every vendor token', async () => {
      await control.expireVendorTokens();
      await api().get(PERMISSIONS).set('authorization', `Bearer ${token}`).expect(401);
      await api().get(PERMISSIONS).set('authorization', `Bearer ${await vendorToken()}`).expect(200);
    });
  });

  describe('GET /.well-known/jwks.json', () => {
    it('publishes one RS256 signing key with a kid', async () => {
      const { keys } = await jwks();
      expect(keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) })]);
      expect(keys[0]).not.toHaveProperty('d');
    });
  });

  describe('POST /identity/resources/auth/v1/user', () => {
    it('signs a seeded user in without a vendor token, answering a verifiable user token', async () => {
      const before = Math.floor(Date.now() / 1000);
      const { body } = await api()
        .post(LOGIN)
        .set('frontegg-vendor-host', 'ignored.example')
        .send({ email: 'erin@shared.test', password: DEV_PASSWORD })
        .expect(200);
      expect(body).toEqual({
        tokenType: 'bearer',
        mfaRequired: false,
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresIn: 3600,
        expires: expect.any(String),
        userId: USER_ERIN,
        userEmail: 'erin@shared.test',
        emailVerified: true,
      });
      const { payload, protectedHeader } = await verifyUserToken(body.accessToken);
      expect(protectedHeader).toEqual({ alg: 'RS256', kid: expect.any(String), typ: 'JWT' });
      expect(payload).toMatchObject({
        sub: USER_ERIN,
        email: 'erin@shared.test',
        name: 'Erin Both',
        tenantId: TENANT_ACME,
        tenantIds: [TENANT_ACME, TENANT_GLOBEX],
        roles: ['Member'],
        permissions: ['fe.secure.read.roles', 'app.reports.read'],
        type: 'userToken',
        sid: expect.any(String),
      });
      expect(payload.exp! - payload.iat!).toBe(3600);
      expect(payload.auth_time).toBeGreaterThanOrEqual(before);
      expect(Date.parse(body.expires)).toBe(payload.exp! * 1000);
    });

    it('records the sign-in as lastLogin', async () => {
      const before = Date.now();
      await control.login('bob@acme.test', DEV_PASSWORD);
      expect(Date.parse((await getUser(USER_BOB)).lastLogin)).toBeGreaterThanOrEqual(before - 1000);
    });

    it('answers 401 for a wrong password or an unknown email', async () => {
      const wrong = await api().post(LOGIN).send({ email: 'alice@acme.test', password: 'nope' }).expect(401);
      expect(wrong.body).toEqual({ errors: ['Incorrect email or password'] });
      await api().post(LOGIN).send({ email: 'nobody@acme.test', password: DEV_PASSWORD }).expect(401);
    });

    it.each([
      ['a locked user', 'locked@acme.test', 'User is locked'],
      ['a disabled membership', 'disabled@acme.test', 'User is disabled in the tenant'],
      ['an expired temporary membership', 'expired@acme.test', 'User temporary access to the tenant has expired'],
    ])('answers 401 for %s, and only to the right password', async (_case, email, message) => {
      const { body } = await api().post(LOGIN).send({ email, password: DEV_PASSWORD }).expect(401);
      expect(body).toEqual({ errors: [message] });
      const wrong = await api().post(LOGIN).send({ email, password: 'nope' }).expect(401);
      expect(wrong.body).toEqual({ errors: ['Incorrect email or password'] });
    });

    it('lets the invisible support account and the helpdesk admin sign in', async () => {
      await control.login('support@vendor.test', DEV_PASSWORD);
      const { accessToken } = await control.login('henry@acme.test', DEV_PASSWORD);
      const { payload } = await verifyUserToken(accessToken);
      expect(payload).toMatchObject({ sub: USER_HENRY, roles: ['Member', 'acme-helpdesk'] });
      expect(payload.permissions).toEqual(
        expect.arrayContaining(['fe.secure.read.users', 'fe.secure.write.users']),
      );
    });

    it('answers 400 without a password or without an email', async () => {
      await api().post(LOGIN).send({ email: 'alice@acme.test' }).expect(400);
      const { body } = await api().post(LOGIN).send({ password: DEV_PASSWORD }).expect(400);
      expect(body).toEqual({ errors: ['Either email or username must be provided'] });
    });
  });

  describe('GET /identity/resources/configurations/v1', () => {
    it('gives the current signing key as SPKI PEM, which verifies user tokens', async () => {
      const { body } = await api().get(CONFIGURATIONS).set('x-access-token', token).expect(200);
      expect(body.jwtAlgorithm).toBe('RS256');
      const { accessToken } = await control.login('alice@acme.test', DEV_PASSWORD);
      const publicKey = await importSPKI(body.publicKey, 'RS256');
      await expect(jwtVerify(accessToken, publicKey)).resolves.toBeDefined();

      await control.rotateKey();
      const rotated = await api().get(CONFIGURATIONS).set('x-access-token', token).expect(200);
      expect(rotated.body.publicKey).not.toBe(body.publicKey);
    });
  });

  describe('roles', () => {
    const auth = () => ({ authorization: `Bearer ${token}` });
    const listRoles = async (tenantId?: string) =>
      (await api().get(ROLES).set({ ...auth(), ...(tenantId ? { 'frontegg-tenant-id': tenantId } : {}) }).expect(200))
        .body as { id: string; key: string; tenantId: string; permissions: string[] }[];

    it('lists environment-wide roles without frontegg-tenant-id, plus that tenant roles with it', async () => {
      expect((await listRoles()).map(keyOf)).toEqual(['Admin', 'Member']);
      expect((await listRoles(TENANT_ACME)).map(keyOf)).toEqual(['Admin', 'Member', 'acme-auditor', 'acme-helpdesk']);
      expect((await listRoles(TENANT_GLOBEX)).map(keyOf)).toEqual(['Admin', 'Member', 'globex-support']);
      expect((await listRoles())[0]).toMatchObject({ id: ROLE_ADMIN, tenantId: '', level: 10 });
    });

    it('creates roles in the tenant of frontegg-tenant-id, without permissions', async () => {
      const { body } = await api()
        .post(ROLES)
        .set({ ...auth(), 'frontegg-tenant-id': TENANT_ACME })
        .send([{ key: 'reporter', name: 'Reporter', description: 'Writes reports', level: 40 }])
        .expect(201);
      expect(body).toEqual([
        expect.objectContaining({ key: 'reporter', tenantId: TENANT_ACME, level: 40, permissions: [], isDefault: false }),
      ]);
      expect((await listRoles(TENANT_ACME)).map(keyOf)).toContain('reporter');
      expect((await listRoles(TENANT_GLOBEX)).map(keyOf)).not.toContain('reporter');
      expect((await listRoles()).map(keyOf)).not.toContain('reporter');
    });

    it('creates environment-wide roles without frontegg-tenant-id', async () => {
      const { body } = await api().post(ROLES).set(auth()).send([{ key: 'viewer', name: 'Viewer', level: 60 }]).expect(201);
      expect(body[0].tenantId).toBe('');
      expect((await listRoles(TENANT_GLOBEX)).map(keyOf)).toContain('viewer');
    });

    it('refuses a duplicate key in the scope, and invalid bodies, with 400', async () => {
      const duplicate = await api()
        .post(ROLES)
        .set({ ...auth(), 'frontegg-tenant-id': TENANT_ACME })
        .send([{ key: 'acme-auditor', name: 'Again', level: 30 }])
        .expect(400);
      expect(duplicate.body).toEqual({ errors: ["Role with key 'acme-auditor' already exists"] });
      await api().post(ROLES).set(auth()).send({ key: 'x', name: 'X', level: 1 }).expect(400);
      await api().post(ROLES).set(auth()).send([{ key: 'x', name: 'X' }]).expect(400);
      await api().post(ROLES).set(auth()).send([{ key: 'x', name: 'X', level: 40000 }]).expect(400);
      const unknown = await api()
        .post(ROLES)
        .set(auth())
        .send([{ key: 'x', name: 'X', level: 1, tenantId: 'a' }])
        .expect(400);
      expect(unknown.body).toEqual({ errors: ['property tenantId should not exist'] });
    });

    it('PATCH changes the fields sent and answers the role', async () => {
      const { body } = await api()
        .patch(`${ROLES}/${ROLE_ACME_AUDITOR}`)
        .set({ ...auth(), 'frontegg-tenant-id': TENANT_ACME })
        .send({ name: 'Auditor', level: 35 })
        .expect(200);
      expect(body).toMatchObject({ id: ROLE_ACME_AUDITOR, key: 'acme-auditor', name: 'Auditor', level: 35 });
      expect(Date.parse(body.updatedAt)).toBeGreaterThan(Date.parse(body.createdAt));
      expect((await listRoles(TENANT_ACME)).find((role) => role.id === ROLE_ACME_AUDITOR)).toEqual(body);
    });

    it('DELETE removes the role and takes it from every user', async () => {
      await api().delete(`${ROLES}/${ROLE_MEMBER}`).set(auth()).expect(204);
      expect((await listRoles()).map(keyOf)).toEqual(['Admin']);
      expect((await getUser(USER_BOB)).roles).toEqual([]);
      const erinTenants: { roles: { key: string }[] }[] = (await getUser(USER_ERIN)).tenants;
      expect(erinTenants.map((tenant) => tenant.roles.map(keyOf))).toEqual([[], ['globex-support']]);
      await api().delete(`${ROLES}/${ROLE_MEMBER}`).set(auth()).expect(404);
    });

    it('PUT permissions replaces the set', async () => {
      const { body } = await api()
        .put(`${ROLES}/${ROLE_GLOBEX_SUPPORT}/permissions`)
        .set({ ...auth(), 'frontegg-tenant-id': TENANT_GLOBEX })
        .send({ permissionIds: [PERM_READ_ROLES, PERM_REPORTS_WRITE] })
        .expect(200);
      expect(body).toMatchObject({ id: ROLE_GLOBEX_SUPPORT, permissions: [PERM_READ_ROLES, PERM_REPORTS_WRITE] });
      const permissions = (await api().get(PERMISSIONS).set(auth()).expect(200)).body as { id: string; roleIds: string[] }[];
      expect(permissions.find((permission) => permission.id === PERM_REPORTS_WRITE)?.roleIds).toEqual([
        ROLE_ADMIN,
        ROLE_GLOBEX_SUPPORT,
      ]);
    });

    it('PUT permissions refuses unknown permission ids and invalid bodies with 400', async () => {
      const { body } = await api()
        .put(`${ROLES}/${ROLE_ACME_AUDITOR}/permissions`)
        .set(auth())
        .send({ permissionIds: [PERM_READ_ROLES, 'perm-nope'] })
        .expect(400);
      expect(body).toEqual({ errors: ['Permissions not found: perm-nope'] });
      await api().put(`${ROLES}/${ROLE_ACME_AUDITOR}/permissions`).set(auth()).send({}).expect(400);
      await api().put(`${ROLES}/${ROLE_ACME_AUDITOR}/permissions`).set(auth()).send({ permissionIds: [1] }).expect(400);
    });

    it.each([
      ['PATCH', (path: string) => api().patch(path).send({ name: 'x' })],
      ['DELETE', (path: string) => api().delete(path)],
      ['PUT permissions', (path: string) => api().put(`${path}/permissions`).send({ permissionIds: [] })],
    ])('%s answers 404 for an unknown role and for another tenant role', async (_name, call) => {
      const unknown = await call(`${ROLES}/role-nope`).set(auth()).expect(404);
      expect(unknown.body).toEqual({ errors: ['Role not found'] });
      await call(`${ROLES}/${ROLE_ACME_AUDITOR}`).set({ ...auth(), 'frontegg-tenant-id': TENANT_GLOBEX }).expect(404);
      expect((await listRoles(TENANT_ACME)).map((role) => role.id)).toContain(ROLE_ACME_AUDITOR);
    });

    it('reaches environment-wide roles from a tenant scope, and any role without one', async () => {
      await api()
        .patch(`${ROLES}/${ROLE_MEMBER}`)
        .set({ ...auth(), 'frontegg-tenant-id': TENANT_ACME })
        .send({ level: 55 })
        .expect(200);
      await api().patch(`${ROLES}/${ROLE_GLOBEX_SUPPORT}`).set(auth()).send({ level: 25 }).expect(200);
    });
  });

  describe('GET /identity/resources/permissions/v1', () => {
    it('lists the catalogue with the roles granting each permission', async () => {
      const { body } = await api().get(PERMISSIONS).set('x-access-token', token).expect(200);
      expect(body.map(keyOf)).toEqual([
        'fe.secure.read.roles',
        'fe.secure.write.roles',
        'fe.secure.delete.roles',
        'fe.secure.read.users',
        'fe.secure.write.users',
        'fe.secure.delete.users',
        'app.reports.read',
        'app.reports.write',
      ]);
      expect(body[0]).toMatchObject({
        id: PERM_READ_ROLES,
        categoryId: 'cat-fe-secure',
        fePermission: true,
        roleIds: [ROLE_ADMIN, ROLE_MEMBER, ROLE_ACME_AUDITOR, ROLE_GLOBEX_SUPPORT, ROLE_ACME_HELPDESK],
      });
      expect(body[7]).toMatchObject({ categoryId: 'cat-app', fePermission: false, roleIds: [ROLE_ADMIN] });
    });
  });

  describe('users', () => {
    const putUser = (userId: string, body: unknown) =>
      api().put(updateUserPath(userId)).set('authorization', `Bearer ${token}`).send(body as object);

    it('GET answers the user with its default tenant roles and permissions, and every tenant', async () => {
      const erin = await getUser(USER_ERIN);
      expect(erin).toMatchObject({
        id: USER_ERIN,
        tenantId: TENANT_ACME,
        tenantIds: [TENANT_ACME, TENANT_GLOBEX],
        mfaEnrolled: true,
      });
      expect(erin.roles.map(keyOf)).toEqual(['Member']);
      expect(erin.permissions.map(keyOf)).toEqual(['fe.secure.read.roles', 'app.reports.read']);
      expect(erin.tenants).toEqual([
        { tenantId: TENANT_ACME, roles: [expect.objectContaining({ id: ROLE_MEMBER })], isDisabled: false },
        { tenantId: TENANT_GLOBEX, roles: [expect.objectContaining({ id: ROLE_GLOBEX_SUPPORT })], isDisabled: false },
      ]);
      expect(erin).toMatchObject({ isLocked: false, invisible: false });
      expect(await getUser(USER_ALICE)).toMatchObject({
        metadata: '{"theme":"dark"}',
        vendorMetadata: '{"plan":"internal"}',
        externalId: 'ext-alice-001',
      });
    });

    it('GET answers the seeded account states: invisible, locked, disabled and expired memberships', async () => {
      expect(await getUser(USER_SUPPORT)).toMatchObject({ invisible: true, isLocked: false, mfaEnrolled: true });
      expect(await getUser(USER_LOCKED)).toMatchObject({ isLocked: true, invisible: false });
      expect((await getUser(USER_DISABLED)).tenants).toEqual([
        { tenantId: TENANT_ACME, roles: [expect.objectContaining({ id: ROLE_ADMIN })], isDisabled: true },
      ]);
      expect((await getUser(USER_EXPIRED)).tenants).toEqual([
        {
          tenantId: TENANT_ACME,
          roles: [expect.objectContaining({ id: ROLE_ADMIN })],
          temporaryExpirationDate: TEMPORARY_MEMBERSHIP_EXPIRED_AT,
          isDisabled: false,
        },
      ]);
      const henry = await getUser(USER_HENRY);
      expect(henry.roles.map((role: { id: string; level: number }) => [role.id, role.level])).toEqual([
        [ROLE_MEMBER, 50],
        [ROLE_ACME_HELPDESK, 40],
      ]);
    });

    it('GET answers 404 for an unknown user', async () => {
      const { body } = await api().get(vendorUser('user-nobody')).set('x-access-token', token).expect(404);
      expect(body).toEqual({ errors: ['User not found'] });
    });

    it('PUT updates only the fields sent', async () => {
      const { body } = await putUser(USER_BOB, {
        name: 'Robert',
        phoneNumber: '+972-54-1234567',
        metadata: '{"lang":"he"}',
        profilePictureUrl: null,
      }).expect(200);
      expect(body).toMatchObject({
        name: 'Robert',
        phoneNumber: '+972-54-1234567',
        metadata: '{"lang":"he"}',
        profilePictureUrl: null,
      });
      expect(body.email).toBe('bob@acme.test');
      expect(await getUser(USER_BOB)).toEqual(body);
    });

    it.each([
      ['a phone number outside the pattern', { phoneNumber: '054-1234567' }, /^phoneNumber must match pattern/],
      ['metadata that is not JSON', { metadata: 'not json' }, /^metadata must be a string holding a JSON object$/],
      ['metadata that is a JSON array', { metadata: '[1]' }, /^metadata must be a string holding a JSON object$/],
      ['metadata sent as an object', { metadata: { a: 1 } }, /^metadata must be string$/],
      ['an unknown property', { superUser: true }, /^property superUser should not exist$/],
      ['a wrong type', { mfaBypass: 'yes' }, /^mfaBypass must be boolean$/],
      [
        'a picture URL over 4095 characters',
        { profilePictureUrl: `https://x.test/${'a'.repeat(4090)}` },
        /^profilePictureUrl must NOT have more/,
      ],
    ])('PUT refuses %s with 400 and changes nothing', async (_case, update, message) => {
      const before = await getUser(USER_BOB);
      const { body } = await putUser(USER_BOB, { name: 'Robert', ...update }).expect(400);
      expect(body.errors).toEqual([expect.stringMatching(message)]);
      expect(await getUser(USER_BOB)).toEqual(before);
    });

    it('PUT answers 404 for an unknown user', async () => {
      await putUser('user-nobody', { name: 'x' }).expect(404);
    });

    it('MFA unenroll answers 200 and clears mfaEnrolled', async () => {
      const { text } = await api().post(`${vendorUser(USER_ALICE)}/mfa/unenroll`).set('x-access-token', token).expect(200);
      expect(text).toBe('');
      expect((await getUser(USER_ALICE)).mfaEnrolled).toBe(false);
      await api().post(`${vendorUser('user-nobody')}/mfa/unenroll`).set('x-access-token', token).expect(404);
    });

    it('lock answers 200 without a body; the locked user cannot sign in until unlocked', async () => {
      const { text } = await api().post(`${updateUserPath(USER_BOB)}/lock`).set('x-access-token', token).expect(200);
      expect(text).toBe('');
      expect((await getUser(USER_BOB)).isLocked).toBe(true);
      await api().post(LOGIN).send({ email: 'bob@acme.test', password: DEV_PASSWORD }).expect(401);

      await api().post(`${updateUserPath(USER_BOB)}/unlock`).set('x-access-token', token).expect(200);
      expect((await getUser(USER_BOB)).isLocked).toBe(false);
      await api().post(LOGIN).send({ email: 'bob@acme.test', password: DEV_PASSWORD }).expect(200);
    });

    it('disable and enable act on the membership of frontegg-tenant-id', async () => {
      await api()
        .post(`${tenantUserPath(USER_BOB)}/disable`)
        .set({ 'x-access-token': token, 'frontegg-tenant-id': TENANT_ACME })
        .expect(200);
      expect((await getUser(USER_BOB)).tenants[0]).toMatchObject({ tenantId: TENANT_ACME, isDisabled: true });
      await api().post(LOGIN).send({ email: 'bob@acme.test', password: DEV_PASSWORD }).expect(401);

      await api()
        .post(`${tenantUserPath(USER_DISABLED)}/enable`)
        .set({ 'x-access-token': token, 'frontegg-tenant-id': TENANT_ACME })
        .expect(200);
      await api().post(LOGIN).send({ email: 'disabled@acme.test', password: DEV_PASSWORD }).expect(200);
    });

    it('disable and enable answer 400 without frontegg-tenant-id and 404 outside that tenant', async () => {
      const missing = await api().post(`${tenantUserPath(USER_BOB)}/disable`).set('x-access-token', token).expect(400);
      expect(missing.body).toEqual({ errors: ['frontegg-tenant-id header is required'] });
      const outside = await api()
        .post(`${tenantUserPath(USER_BOB)}/enable`)
        .set({ 'x-access-token': token, 'frontegg-tenant-id': TENANT_GLOBEX })
        .expect(404);
      expect(outside.body).toEqual({ errors: ['User not found'] });
    });

    it('DELETE with frontegg-tenant-id removes the user from that tenant, and deletes a user left without any', async () => {
      const removeFrom = (userId: string, tenantId: string) =>
        api().delete(updateUserPath(userId)).set({ 'x-access-token': token, 'frontegg-tenant-id': tenantId });
      await removeFrom(USER_ERIN, TENANT_GLOBEX).expect(200);
      expect(await getUser(USER_ERIN)).toMatchObject({ tenantId: TENANT_ACME, tenantIds: [TENANT_ACME] });
      await removeFrom(USER_ERIN, TENANT_GLOBEX).expect(404);

      await removeFrom(USER_BOB, TENANT_ACME).expect(200);
      await api().get(vendorUser(USER_BOB)).set('x-access-token', token).expect(404);
      await api().post(LOGIN).send({ email: 'bob@acme.test', password: DEV_PASSWORD }).expect(401);
    });

    it('lock, disable and remove need the vendor token', async () => {
      await api().post(`${updateUserPath(USER_BOB)}/lock`).expect(401);
      await api().post(`${tenantUserPath(USER_BOB)}/disable`).set('frontegg-tenant-id', TENANT_ACME).expect(401);
      await api().delete(updateUserPath(USER_BOB)).set('frontegg-tenant-id', TENANT_ACME).expect(401);
      expect(await getUser(USER_BOB)).toMatchObject({ isLocked: false, tenantIds: [TENANT_ACME] });
    });
  });

  describe('control client user and role helpers', () => {
    it('lock, unlock, disable, enable and remove through the official routes, unrecorded and unfaulted', async () => {
      await control.injectFault({ path: '/identity/*', status: 500 });
      await control.injectFault({ path: '/auth/vendor', status: 500 });
      await control.clearRequests();

      await control.lockUser(USER_BOB);
      await control.disableUserInTenant(USER_ERIN, TENANT_GLOBEX);
      const role = await control.setRolePermissions(ROLE_MEMBER, [PERM_REPORTS_READ]);
      expect(role).toMatchObject({ id: ROLE_MEMBER, permissions: [PERM_REPORTS_READ] });
      expect(await control.requests()).toEqual([]);
      await control.clearFaults();

      expect((await getUser(USER_BOB)).isLocked).toBe(true);
      expect((await getUser(USER_ERIN)).tenants[1]).toMatchObject({ tenantId: TENANT_GLOBEX, isDisabled: true });

      await control.unlockUser(USER_BOB);
      await control.enableUserInTenant(USER_ERIN, TENANT_GLOBEX);
      expect((await getUser(USER_BOB)).isLocked).toBe(false);
      expect((await getUser(USER_ERIN)).tenants[1].isDisabled).toBe(false);

      await control.removeUserFromTenant(USER_ERIN, TENANT_GLOBEX);
      expect((await getUser(USER_ERIN)).tenantIds).toEqual([TENANT_ACME]);
      await control.removeUserFromTenant(USER_ERIN);
      await api().get(vendorUser(USER_ERIN)).set('x-access-token', token).expect(404);
    });

    it('reports an error answer, such as an unknown user', async () => {
      await expect(control.lockUser('user-nobody')).rejects.toMatchObject({ status: 404 });
    });

    it('signs in as the vendor with the credentials it is given, the default ones otherwise', async () => {
      const custom = await startEmulator({ clientId: 'custom-client', apiKey: 'custom-key' });
      try {
        await expect(new EmulatorControlClient(custom.url).lockUser(USER_BOB)).rejects.toMatchObject({ status: 401 });
        await new EmulatorControlClient(custom.url, custom).lockUser(USER_BOB);
      } finally {
        await custom.close();
      }
    });
  });

  describe('errors', () => {
    it('answers unknown routes with 404 in Frontegg shape', async () => {
      const { body } = await api().get('/identity/resources/nothing/v1').expect(404);
      expect(body).toEqual({ errors: ['Cannot GET /identity/resources/nothing/v1'] });
    });

    it('answers malformed JSON with 400 in Frontegg shape', async () => {
      const { body } = await api()
        .post('/auth/vendor')
        .set('content-type', 'application/json')
        .send('{"clientId":')
        .expect(400);
      expect(body).toEqual({ errors: [expect.any(String)] });
    });
  });

  describe('faults', () => {
    it('answers the given status, body and headers, then only `count` times', async () => {
      await control.injectFault({
        method: 'GET',
        path: PERMISSIONS,
        status: 503,
        body: { errors: ['down'] },
        headers: { 'retry-after': '3' },
        count: 2,
      });
      for (let i = 0; i < 2; i++) {
        const faulted = await api().get(PERMISSIONS).set('x-access-token', token).expect(503);
        expect(faulted.body).toEqual({ errors: ['down'] });
        expect(faulted.headers['retry-after']).toBe('3');
      }
      await api().get(PERMISSIONS).set('x-access-token', token).expect(200);
    });

    it('matches the method when given, and path prefixes ending with *', async () => {
      await control.injectFault({ method: 'PUT', path: '/identity/*', status: 500 });
      await api().get(PERMISSIONS).set('x-access-token', token).expect(200);
      const { body } = await api()
        .put(updateUserPath(USER_BOB))
        .set('x-access-token', token)
        .send({ name: 'x' })
        .expect(500);
      expect(body).toEqual({ errors: ['Emulated fault: status 500'] });
    });

    it('applies to vendor auth and to the JWKS, before authentication', async () => {
      await control.injectFault({ path: '/auth/vendor', status: 502, body: '<html>bad gateway</html>' });
      await control.injectFault({ path: '/.well-known/jwks.json', status: 500 });
      const vendor = await authenticateVendor().expect(502);
      expect(vendor.text).toBe('<html>bad gateway</html>');
      await api().get('/.well-known/jwks.json').expect(500);
      await control.injectFault({ path: PERMISSIONS, status: 429 });
      await api().get(PERMISSIONS).expect(429);
    });

    it('delays by latencyMs, then answers normally', async () => {
      await control.injectFault({ path: PERMISSIONS, latencyMs: 300 });
      const started = Date.now();
      await api().get(PERMISSIONS).set('x-access-token', token).expect(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    });

    it('answers 429 with X-Rate-Limit-Reset = now + N as an RFC 3339 time', async () => {
      await control.injectFault({ path: ROLES, status: 429, rateLimitResetSeconds: 30 });
      const before = Date.now();
      const { headers } = await api().get(ROLES).set('x-access-token', token).expect(429);
      const reset = headers['x-rate-limit-reset'];
      expect(reset).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      expect(Date.parse(reset)).toBeGreaterThanOrEqual(before + 29_000);
      expect(Date.parse(reset)).toBeLessThanOrEqual(Date.now() + 31_000);
    });

    it('drops the connection when asked', async () => {
      await control.injectFault({ path: ROLES, dropConnection: true, count: 1 });
      await expect(api().get(ROLES).set('x-access-token', token)).rejects.toThrow(/socket hang up|ECONNRESET/);
      await api().get(ROLES).set('x-access-token', token).expect(200);
    });

    it('records faulted requests, and stops when cleared', async () => {
      await control.injectFault({ path: '/*', status: 500 });
      await control.clearRequests();
      await api().get(ROLES).set('x-access-token', token).expect(500);
      expect(await control.requests()).toEqual([expect.objectContaining({ method: 'GET', path: ROLES })]);
      await control.clearFaults();
      await api().get(ROLES).set('x-access-token', token).expect(200);
    });

    it('refuses a useless or malformed fault with 400', async () => {
      await api().post('/_emulator/faults').send({ path: ROLES }).expect(400);
      await api().post('/_emulator/faults').send({ path: ROLES, status: 503, rateLimitResetSeconds: 5 }).expect(400);
      await api().post('/_emulator/faults').send({ path: 'no-slash', status: 500 }).expect(400);
      await api().post('/_emulator/faults').send({ path: ROLES, status: 500, extra: 1 }).expect(400);
    });
  });

  describe('recorded requests', () => {
    it('lists non-control requests in arrival order, path as received, lower-cased headers and parsed body', async () => {
      await control.clearRequests();
      await api()
        .get('/identity/resources/vendor-only/users/v1/user%2Dbob?expand=roles&x=1')
        .set('X-Access-Token', token)
        .set('Frontegg-Tenant-Id', TENANT_ACME);
      await api().put(updateUserPath(USER_BOB)).set('authorization', `Bearer ${token}`).send({ name: 'Robert' }).expect(200);
      await control.mintToken();

      const recorded = await control.requests();
      expect(recorded).toEqual([
        {
          method: 'GET',
          path: '/identity/resources/vendor-only/users/v1/user%2Dbob',
          query: { expand: 'roles', x: '1' },
          headers: expect.objectContaining({ 'x-access-token': token, 'frontegg-tenant-id': TENANT_ACME }),
          body: null,
          at: expect.any(String),
        },
        expect.objectContaining({ method: 'PUT', path: updateUserPath(USER_BOB), body: { name: 'Robert' } }),
      ]);
      expect(Date.parse(recorded[0].at)).toBeLessThanOrEqual(Date.parse(recorded[1].at));
    });

    it('filters by method and path (string or RegExp) in the client', async () => {
      await control.clearRequests();
      await api().get(ROLES).set('x-access-token', token);
      await api().get(PERMISSIONS).set('x-access-token', token);
      await api().post(ROLES).set('x-access-token', token).send([]);
      expect(await control.requests({ method: 'get' })).toHaveLength(2);
      expect(await control.requests({ path: ROLES })).toHaveLength(2);
      expect(await control.requests({ method: 'POST', path: /roles/ })).toEqual([expect.objectContaining({ body: [] })]);
    });

    it('clears on request', async () => {
      await api().get(ROLES).set('x-access-token', token);
      await control.clearRequests();
      expect(await control.requests()).toEqual([]);
    });
  });

  describe('key rotation', () => {
    it('signs with the new key and keeps the previous one in the JWKS', async () => {
      const before = await control.mintToken();
      const { kid, previousKid } = await control.rotateKey();
      expect((await jwks()).keys.map((key) => key.kid)).toEqual([kid, previousKid]);
      const after = await control.mintToken();
      expect(decodeProtectedHeader(after).kid).toBe(kid);
      await expect(verifyUserToken(after)).resolves.toBeDefined();
      await expect(verifyUserToken(before)).resolves.toBeDefined();
    });

    it('retires the previous key when asked, so its tokens no longer verify', async () => {
      const before = await control.mintToken();
      const { kid } = await control.rotateKey({ retirePrevious: true });
      expect((await jwks()).keys.map((key) => key.kid)).toEqual([kid]);
      await expect(verifyUserToken(before)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    });
  });

  describe('POST /_emulator/tokens', () => {
    it('mints a verifiable token for user-alice by default', async () => {
      const { token: minted, claims } = await control.mintTokenWithClaims();
      const { payload } = await verifyUserToken(minted);
      expect(payload).toEqual(claims);
      expect(payload).toMatchObject({
        sub: USER_ALICE,
        tenantId: TENANT_ACME,
        roles: ['Admin'],
        iss: emulator.issuer,
        aud: emulator.audience,
      });
      expect(payload.permissions).toHaveLength(8);
    });

    it('computes roles and permissions for the chosen user and tenant', async () => {
      const { claims } = await control.mintTokenWithClaims({ userId: USER_ERIN, tenantId: TENANT_GLOBEX });
      expect(claims).toMatchObject({
        tenantId: TENANT_GLOBEX,
        roles: ['globex-support'],
        permissions: ['fe.secure.read.roles', 'fe.secure.read.users', 'fe.secure.write.users'],
      });
    });

    it('merges claims, a null removing the claim', async () => {
      const minted = await control.mintToken({ claims: { type: 'userApiToken', userId: USER_BOB, sub: null } });
      const { payload } = await verifyUserToken(minted);
      expect(payload).toMatchObject({ type: 'userApiToken', userId: USER_BOB });
      expect(payload).not.toHaveProperty('sub');
    });

    it('sets expiry and sign-in time as asked', async () => {
      const now = Math.floor(Date.now() / 1000);
      const { claims } = await control.mintTokenWithClaims({ expiresInSeconds: 60, authTimeSecondsAgo: 600 });
      expect(claims.exp).toBe((claims.iat as number) + 60);
      expect(claims.auth_time).toBeGreaterThanOrEqual(now - 600);
      expect(claims.auth_time).toBeLessThanOrEqual(now - 599);
      const expired = await control.mintToken({ expiresInSeconds: -10 });
      await expect(verifyUserToken(expired)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
    });

    it.each([
      ['a wrong kid', { header: { kid: 'not-published' } }, 'ERR_JWKS_NO_MATCHING_KEY'],
      ['a foreign key', { signWith: 'foreign' as const }, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
      ['alg none', { signWith: 'none' as const }, 'ERR_JOSE_ALG_NOT_ALLOWED'],
      ['HS256 keyed with the public key', { signWith: 'hs256-public-key' as const }, 'ERR_JOSE_ALG_NOT_ALLOWED'],
    ])('mints a token with %s that an RS256 JWKS verifier refuses', async (_case, options, code) => {
      const minted = await control.mintToken(options);
      await expect(verifyUserToken(minted)).rejects.toMatchObject({ code });
    });

    it('mints for users who cannot sign in: a token issued before the lock, the disabling or the expiry', async () => {
      for (const userId of [USER_LOCKED, USER_DISABLED, USER_EXPIRED]) {
        const { payload } = await verifyUserToken(await control.mintToken({ userId }));
        expect(payload).toMatchObject({ sub: userId, tenantId: TENANT_ACME, roles: ['Admin'] });
      }
    });

    it('removes roles with claims: { roles: null }, keeping permissions', async () => {
      const { claims } = await control.mintTokenWithClaims({ userId: USER_BOB, claims: { roles: null } });
      expect(claims).not.toHaveProperty('roles');
      expect(claims.permissions).toEqual(['fe.secure.read.roles', 'app.reports.read']);
    });

    it("tokenClaims 'identity-only' leaves roles and permissions out of minted tokens and sign-ins, until reset", async () => {
      await control.settings({ tokenClaims: 'identity-only' });
      const minted = await control.mintTokenWithClaims({ userId: USER_BOB });
      const { accessToken } = await control.login('bob@acme.test', DEV_PASSWORD);
      const signedIn = (await verifyUserToken(accessToken)).payload;
      for (const claims of [minted.claims, signedIn]) {
        expect(claims).toMatchObject({ sub: USER_BOB, tenantId: TENANT_ACME, tenantIds: [TENANT_ACME], type: 'userToken' });
        expect(claims).not.toHaveProperty('roles');
        expect(claims).not.toHaveProperty('permissions');
      }
      const config = await api().get(CONFIGURATIONS).set('x-access-token', token).expect(200);
      expect(config.body).toMatchObject({ addRolesToJwt: false, addPermissionsToJwt: false });

      await control.settings({ tokenClaims: 'full' });
      expect((await control.mintTokenWithClaims({ userId: USER_BOB })).claims).toMatchObject({ roles: ['Member'] });
      await control.settings({ tokenClaims: 'identity-only' });
      await control.reset();
      expect((await control.mintTokenWithClaims({ userId: USER_BOB })).claims).toMatchObject({
        roles: ['Member'],
        permissions: ['fe.secure.read.roles', 'app.reports.read'],
      });
    });

    it("starts with tokenClaims 'identity-only' when the option says so", async () => {
      const identityOnly = await startEmulator({ tokenClaims: 'identity-only' });
      try {
        const { claims } = await new EmulatorControlClient(identityOnly.url).mintTokenWithClaims();
        expect(claims).toMatchObject({ sub: USER_ALICE });
        expect(claims).not.toHaveProperty('roles');
        expect(claims).not.toHaveProperty('permissions');
      } finally {
        await identityOnly.close();
      }
    });

    it('refuses an unknown user, a tenant the user is not in, and a malformed body with 400', async () => {
      await api().post('/_emulator/tokens').send({ userId: 'user-nobody' }).expect(400);
      await api().post('/_emulator/tokens').send({ userId: USER_BOB, tenantId: TENANT_GLOBEX }).expect(400);
      await api().post('/_emulator/tokens').send({ signWith: 'rsa' }).expect(400);
      await api().post('/_emulator/tokens').send({ header: { alg: 'HS512' } }).expect(400);
    });
  });

  describe('POST /_emulator/reset', () => {
    it('restores seed data, faults, recordings, TTL and the original key, and keeps issued vendor tokens', async () => {
      const originalKeys = await jwks();
      const originalToken = await control.mintToken();
      await api().post(ROLES).set('x-access-token', token).send([{ key: 'temp', name: 'Temp', level: 40 }]).expect(201);
      await api().put(updateUserPath(USER_BOB)).set('x-access-token', token).send({ name: 'Changed' }).expect(200);
      await control.settings({ vendorTokenTtlSeconds: 5 });
      await control.rotateKey({ retirePrevious: true });
      await control.injectFault({ path: PERMISSIONS, status: 500 });

      await control.reset();

      expect(await control.requests()).toEqual([]);
      await api().get(PERMISSIONS).set('x-access-token', token).expect(200);
      expect((await getUser(USER_BOB)).name).toBe('Bob Reader');
      const roles = (await api().get(ROLES).set('x-access-token', token).expect(200)).body;
      expect(roles.map(keyOf)).toEqual(['Admin', 'Member']);
      expect((await control.vendorToken(emulator.clientId, emulator.apiKey)).expiresIn).toBe(3600);
      expect(await jwks()).toEqual(originalKeys);
      await expect(verifyUserToken(originalToken)).resolves.toBeDefined();
    });
  });

  describe('control routes', () => {
    it('need no vendor token, are not recorded, and are not faulted', async () => {
      await control.injectFault({ path: '/*', status: 500 });
      await control.clearRequests();
      await api().post('/_emulator/keys/rotate').expect(200);
      await api().put('/_emulator/settings').send({}).expect(204);
      expect(await control.requests()).toEqual([]);
    });

    it('refuses invalid settings with 400', async () => {
      await api().put('/_emulator/settings').send({ vendorTokenTtlSeconds: 0 }).expect(400);
      await api().put('/_emulator/settings').send({ tokenClaims: 'minimal' }).expect(400);
    });
  });
});
