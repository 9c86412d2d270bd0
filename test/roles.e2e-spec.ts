import { TENANT_ACME, TENANT_GLOBEX, USER_BOB, USER_CAROL } from '../src/emulator';
import { advanceClock, expectProblem } from './support/assertions';
import { startTestGateway, type TestGateway } from './support/gateway';

const ROLES = '/identity/resources/roles/v1';

describe('GET /v1/roles (CONTRACT §4.1)', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());
  beforeEach(() => gateway.reset());
  afterEach(() => jest.restoreAllMocks());

  const rolesAs = async (options: Parameters<TestGateway['token']>[0] = {}) =>
    gateway.http().get('/v1/roles').set('authorization', `Bearer ${await gateway.token(options)}`);

  it("answers the caller's tenant roles and the environment-wide roles, in the contract's shape", async () => {
    const response = await rolesAs({ userId: USER_BOB });
    expect(response.status).toBe(200);
    const keys = response.body.map((role: { key: string }) => role.key).sort();
    expect(keys).toEqual(['Admin', 'Member', 'acme-auditor', 'acme-helpdesk']);
    for (const role of response.body) {
      expect(Object.keys(role).sort()).toEqual(['description', 'environmentWide', 'id', 'isDefault', 'key', 'level', 'name', 'permissions']);
    }
    expect(response.body.find((role: { key: string }) => role.key === 'Member')).toMatchObject({ isDefault: true, level: 50, environmentWide: true });
    expect(response.body.find((role: { key: string }) => role.key === 'acme-auditor')).toMatchObject({ environmentWide: false });
  });

  it('filters out roles of other tenants, whatever the upstream answered', async () => {
    const leaked = { id: 'role-leak', vendorId: 'v', tenantId: TENANT_GLOBEX, key: 'leak', name: 'Leak', description: '',
      isDefault: false, firstUserRole: false, level: 1, createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z', permissions: [] };
    await gateway.upstream.injectFault({ method: 'GET', path: ROLES, status: 200, body: [leaked] });
    const response = await rolesAs({ userId: USER_BOB });
    expect(response.status).toBe(200);
    expect(response.body).toEqual([]);
  });

  it('asks the upstream with the token tenant only', async () => {
    await rolesAs({ userId: USER_CAROL });
    const [call] = await gateway.upstream.requests({ path: ROLES });
    expect(call.headers['frontegg-tenant-id']).toBe(TENANT_GLOBEX);
    const response = await rolesAs({ userId: USER_CAROL });
    expect(response.body.map((role: { key: string }) => role.key).sort()).toEqual(['Admin', 'Member', 'globex-support']);
  });

  it('needs fe.secure.read.roles, and names it when missing', async () => {
    const response = await rolesAs({ claims: { permissions: ['app.reports.read'] } });
    expectProblem(response, 403);
    expect(response.body.detail).toBe('missing permission fe.secure.read.roles');
    expect(await gateway.upstream.requests({ path: ROLES })).toEqual([]);
  });

  it('honours wildcard grants', async () => {
    expect((await rolesAs({ claims: { permissions: ['fe.secure.*'] } })).status).toBe(200);
    expect((await rolesAs({ claims: { permissions: ['fe.*'] } })).status).toBe(200);
    expect((await rolesAs({ claims: { permissions: ['fe.secure.write.*'] } })).status).toBe(403);
  });

  it('caches per tenant for ROLES_CACHE_TTL_S', async () => {
    await rolesAs({ userId: USER_BOB });
    await rolesAs({ userId: USER_BOB });
    await rolesAs({ userId: USER_CAROL });
    const calls = await gateway.upstream.requests({ path: ROLES });
    expect(calls.map((call) => call.headers['frontegg-tenant-id'])).toEqual([TENANT_ACME, TENANT_GLOBEX]);

    advanceClock(31_000);
    await rolesAs({ userId: USER_BOB });
    expect(await gateway.upstream.requests({ path: ROLES })).toHaveLength(3);
  });

  it('shares one upstream call among concurrent misses of a tenant', async () => {
    await gateway.upstream.injectFault({ method: 'GET', path: ROLES, latencyMs: 100, count: 1 });
    const tokens = await Promise.all(Array.from({ length: 10 }, () => gateway.token({ userId: USER_BOB })));
    const answers = await Promise.all(tokens.map((token) => gateway.http().get('/v1/roles').set('authorization', `Bearer ${token}`)));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(await gateway.upstream.requests({ path: ROLES })).toHaveLength(1);
  });
});
