import { TENANT_ACME, TENANT_GLOBEX, USER_BOB, USER_ERIN } from '../src/emulator';
import { expectProblem } from './support/assertions';
import { startTestGateway, type TestGateway } from './support/gateway';
import { refreshGrants, SESSION_ENVIRONMENT, sessionHeaders, signIn } from './support/sessions';

const SWITCH = '/identity/resources/users/v1/tenant';
const ERIN = { email: 'erin@shared.test', password: 'frontegg-dev-password' };

describe("the caller's tenants (CONTRACT §4.4)", () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ ...SESSION_ENVIRONMENT });
  });
  afterAll(() => gateway.close());
  beforeEach(() => gateway.reset());

  const bearer = async (caller: Parameters<TestGateway['token']>[0] = { userId: USER_ERIN }) => `Bearer ${await gateway.token(caller)}`;
  const switches = () => gateway.upstream.requests({ method: 'PUT', path: SWITCH });

  describe('GET /v1/me/tenants', () => {
    it("lists the caller's tenants by name, the token's one active, asking the upstream for this user", async () => {
      const response = await gateway.http().get('/v1/me/tenants').set('authorization', await bearer());
      expect(response.status).toBe(200);
      expect(response.body).toEqual([
        { tenantId: TENANT_ACME, name: 'Acme', active: true },
        { tenantId: TENANT_GLOBEX, name: 'Globex', active: false },
      ]);
      const [call] = await gateway.upstream.requests({ method: 'GET', path: '/identity/resources/users/v2/me/tenants' });
      expect(call.headers['frontegg-user-id']).toBe(USER_ERIN);
    });

    it('is for user tokens only (403 token-type), and maps an upstream failure', async () => {
      const apiToken = await bearer({ userId: USER_ERIN, claims: { type: 'userApiToken', userId: USER_ERIN } });
      expect((await gateway.http().get('/v1/me/tenants').set('authorization', apiToken)).body.reason).toBe('token-type');
      await gateway.upstream.injectFault({ path: '/identity/resources/users/v2/me/tenants', status: 503 });
      expectProblem(await gateway.http().get('/v1/me/tenants').set('authorization', await bearer()), 502);
    });
  });

  describe('PUT /v1/me/tenant with a Bearer token', () => {
    it('switches the active tenant upstream and tells the app to refresh its token', async () => {
      const response = await gateway.http().put('/v1/me/tenant').set('authorization', await bearer()).send({ tenantId: TENANT_GLOBEX });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ tenantId: TENANT_GLOBEX, refreshRequired: true });
      const [call] = await switches();
      expect(call.body).toEqual({ tenantId: TENANT_GLOBEX });
      expect(call.headers).toMatchObject({ 'frontegg-user-id': USER_ERIN, 'frontegg-tenant-id': TENANT_ACME });
      // The user's next sign-in lands in the new tenant.
      const login = await gateway.upstream.login(ERIN.email, ERIN.password);
      expect(JSON.parse(Buffer.from(login.accessToken.split('.')[1], 'base64url').toString()).tenantId).toBe(TENANT_GLOBEX);
    });

    it.each<[string, () => Promise<unknown>, string]>([
      ['a tenant the caller is not a member of', async () => undefined, USER_BOB],
      ['a disabled membership', () => gateway.upstream.disableUserInTenant(USER_ERIN, TENANT_GLOBEX), USER_ERIN],
    ])('refuses %s with 403 not-a-member, writing nothing', async (_case, prepare, userId) => {
      await prepare();
      const response = await gateway.http().put('/v1/me/tenant').set('authorization', await bearer({ userId })).send({ tenantId: TENANT_GLOBEX });
      expectProblem(response, 403);
      expect(response.body.reason).toBe('not-a-member');
      expect(await switches()).toEqual([]);
    });

    it.each<[string, unknown, string]>([
      ['no tenantId', {}, 'tenantId'],
      ['a tenantId that is no id', { tenantId: 'tenant/../acme' }, 'tenantId'],
      ['an empty tenantId', { tenantId: '' }, 'tenantId'],
      ['another property', { tenantId: TENANT_GLOBEX, userId: USER_BOB }, 'userId'],
    ])('refuses %s with a 400 naming it, writing nothing', async (_case, body, named) => {
      const response = await gateway.http().put('/v1/me/tenant').set('authorization', await bearer()).send(body as object);
      expectProblem(response, 400);
      expect(response.body.detail).toContain(named);
      expect(await switches()).toEqual([]);
    });

    it('maps an upstream failure of the switch to 502', async () => {
      await gateway.upstream.injectFault({ method: 'PUT', path: SWITCH, status: 500 });
      expectProblem(await gateway.http().put('/v1/me/tenant').set('authorization', await bearer()).send({ tenantId: TENANT_GLOBEX }), 502);
    });
  });

  describe('PUT /v1/me/tenant with a browser session', () => {
    it('refreshes the session token itself, once, so the very next request runs in the new tenant', async () => {
      const { jar } = await signIn(gateway, ERIN);
      expect((await gateway.http().get('/v1/me').set(sessionHeaders(jar))).body.tenantId).toBe(TENANT_ACME);
      await gateway.upstream.clearRequests();
      const response = await gateway.http().put('/v1/me/tenant').set(sessionHeaders(jar)).send({ tenantId: TENANT_GLOBEX });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ tenantId: TENANT_GLOBEX, refreshRequired: false });
      expect(await refreshGrants(gateway.upstream)).toHaveLength(1);
      const me = await gateway.http().get('/v1/me').set(sessionHeaders(jar));
      expect(me.body).toMatchObject({ tenantId: TENANT_GLOBEX, roles: [{ key: 'globex-support' }] });
      expect((await gateway.http().get('/auth/session').set(sessionHeaders(jar))).body.tenantId).toBe(TENANT_GLOBEX);
      expect(await refreshGrants(gateway.upstream)).toHaveLength(1);
    });

    it('needs X-CSRF like every cookie request, and writes nothing without it', async () => {
      const { jar } = await signIn(gateway, ERIN);
      const response = await gateway.http().put('/v1/me/tenant').set({ cookie: jar.header() }).send({ tenantId: TENANT_GLOBEX });
      expectProblem(response, 403);
      expect(response.body.reason).toBe('csrf');
      expect(await switches()).toEqual([]);
    });
  });
});
