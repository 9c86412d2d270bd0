import { TENANT_ACME, TENANT_GLOBEX, USER_ALICE, USER_ERIN } from '../src/emulator';
import { expectProblem } from './support/assertions';
import { startTestGateway, type TestGateway } from './support/gateway';

const PROFILE_FIELDS = [
  'createdAt', 'email', 'id', 'lastLogin', 'metadata', 'mfaEnrolled', 'name', 'permissions', 'phoneNumber',
  'profilePictureUrl', 'roles', 'tenantId', 'tenantIds', 'verified',
].sort();

describe('self-service profile (CONTRACT §4.1)', () => {
  let gateway: TestGateway;
  let alice: string;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());
  beforeEach(async () => {
    await gateway.reset();
    alice = await gateway.token({ userId: USER_ALICE });
  });

  const patchMe = (body: unknown, token = alice) =>
    gateway.http().patch('/v1/me').set('authorization', `Bearer ${token}`).send(body as object);
  const userUpdates = () => gateway.upstream.requests({ method: 'PUT', path: /^\/identity\/resources\/users\/v1\// });

  describe('GET /v1/me', () => {
    it('answers the caller as a Profile of its active tenant, nothing vendor-only', async () => {
      const response = await gateway.http().get('/v1/me').set('authorization', `Bearer ${alice}`);
      expect(response.status).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(PROFILE_FIELDS);
      expect(response.body).toMatchObject({
        id: USER_ALICE,
        email: 'alice@acme.test',
        tenantId: TENANT_ACME,
        tenantIds: [TENANT_ACME],
        roles: [{ id: 'role-admin', key: 'Admin', name: expect.any(String) }],
        metadata: { theme: 'dark' },
        mfaEnrolled: true,
      });
      expect(response.body.permissions).toEqual(expect.arrayContaining(['fe.secure.read.roles', 'fe.secure.write.users']));
      expect(JSON.stringify(response.body)).not.toMatch(/vendorMetadata|mfaBypass|superUser|externalId|internal/);
    });

    it('calls the vendor-only user route with the vendor token', async () => {
      await gateway.http().get('/v1/me').set('authorization', `Bearer ${alice}`);
      const [call] = await gateway.upstream.requests({ path: `/identity/resources/vendor-only/users/v1/${USER_ALICE}` });
      expect(call.method).toBe('GET');
      expect(call.headers.authorization).toMatch(/^Bearer \S+$/);
      expect(call.headers.authorization).not.toContain(alice);
    });

    it('shows the roles and permissions of the tenant the token is for', async () => {
      const inGlobex = await gateway.token({ userId: USER_ERIN, tenantId: TENANT_GLOBEX });
      const response = await gateway.http().get('/v1/me').set('authorization', `Bearer ${inGlobex}`);
      expect(response.status).toBe(200);
      expect(response.body.tenantId).toBe(TENANT_GLOBEX);
      expect(response.body.roles.map((role: { key: string }) => role.key)).toEqual(['globex-support']);
      expect(response.body.permissions.sort()).toEqual(['fe.secure.read.roles', 'fe.secure.read.users', 'fe.secure.write.users']);
      expect(response.body.tenantIds.sort()).toEqual([TENANT_ACME, TENANT_GLOBEX]);
    });

    it('answers fields the upstream left out as null', async () => {
      const response = await gateway.http().get('/v1/me').set('authorization', `Bearer ${alice}`);
      for (const field of PROFILE_FIELDS) expect(response.body[field]).not.toBeUndefined();
    });
  });

  describe('PATCH /v1/me', () => {
    it('sends exactly the given fields upstream, metadata as a JSON string, and answers the new profile', async () => {
      const response = await patchMe({ name: 'Alice Liddell', phoneNumber: '+14155550100', metadata: { theme: 'light', n: 1 } });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ name: 'Alice Liddell', phoneNumber: '+14155550100', metadata: { theme: 'light', n: 1 } });
      const [call] = await userUpdates();
      expect(call.path).toBe(`/identity/resources/users/v1/${USER_ALICE}`);
      expect(call.body).toEqual({ name: 'Alice Liddell', phoneNumber: '+14155550100', metadata: '{"theme":"light","n":1}' });
      expect(call.headers['content-type']).toMatch(/^application\/json/);
    });

    it('changes persist upstream', async () => {
      await patchMe({ profilePictureUrl: 'https://cdn.example.com/a.png' });
      const me = await gateway.http().get('/v1/me').set('authorization', `Bearer ${alice}`);
      expect(me.body.profilePictureUrl).toBe('https://cdn.example.com/a.png');
    });

    it.each([
      'mfaBypass', 'vendorMetadata', 'externalId', 'email', 'superUser', 'tenantId', 'roles', 'id', 'verified', 'Name',
    ])('refuses %s with a 400 naming it, and sends nothing upstream', async (field) => {
      const response = await patchMe({ name: 'ok', [field]: field === 'roles' ? ['Admin'] : true });
      expectProblem(response, 400);
      expect(response.body.detail).toContain(field);
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ property: field })]));
      expect(await userUpdates()).toEqual([]);
    });

    it.each([
      ['an empty body', {}],
      ['an empty name', { name: '' }],
      ['a name over 255 characters', { name: 'x'.repeat(256) }],
      ['a null name', { name: null }],
      ['a phone number that is not E.164', { phoneNumber: '0415 555 0100' }],
      ['a plain-http picture', { profilePictureUrl: 'http://cdn.example.com/a.png' }],
      ['a picture that is not a URL', { profilePictureUrl: 'javascript:alert(1)' }],
      ['a picture URL over 4095 characters', { profilePictureUrl: `https://cdn.example.com/${'a'.repeat(4090)}` }],
      ['metadata that is not an object', { metadata: '{"a":1}' }],
      ['metadata that is an array', { metadata: [1, 2] }],
      ['metadata over 4 KiB', { metadata: { blob: 'x'.repeat(4100) } }],
      ['a JSON array body', [{ name: 'x' }]],
    ])('refuses %s with 400 and no upstream call', async (_case, body) => {
      expectProblem(await patchMe(body), 400);
      expect(await userUpdates()).toEqual([]);
    });

    it('refuses a body that is not JSON with 415, one over 16 KiB with 413, broken JSON with 400', async () => {
      const base = () => gateway.http().patch('/v1/me').set('authorization', `Bearer ${alice}`);
      expectProblem(await base().set('content-type', 'text/plain').send('name=x'), 415);
      expectProblem(await base().set('content-type', 'application/x-www-form-urlencoded').send('name=x'), 415);
      expectProblem(await base().set('content-type', 'application/json').send(JSON.stringify({ name: 'x'.repeat(17 * 1024) })), 413);
      expectProblem(await base().set('content-type', 'application/json').send('{"name": "x"'), 400);
      expect(await userUpdates()).toEqual([]);
    });

    it('passes the upstream 400 messages on', async () => {
      await gateway.upstream.injectFault({
        method: 'PUT',
        path: `/identity/resources/users/v1/${USER_ALICE}`,
        status: 400,
        body: { errors: ['name is reserved'] },
      });
      const response = await patchMe({ name: 'root' });
      expectProblem(response, 400);
      expect(response.body.detail).toBe('name is reserved');
    });

    it('is for user tokens only', async () => {
      const apiToken = await gateway.token({ claims: { type: 'userApiToken', userId: USER_ALICE } });
      expectProblem(await patchMe({ name: 'x' }, apiToken), 403);
      expect(await userUpdates()).toEqual([]);
    });
  });
});
