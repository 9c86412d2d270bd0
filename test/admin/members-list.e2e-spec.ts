import { PAGING_MEMBER_COUNT, TENANT_ACME, TENANT_GLOBEX, USER_BOB, USER_CAROL, USER_ERIN, USER_SUPPORT } from '../../src/emulator';
import { expectProblem } from '../support/assertions';
import { startTestGateway, type TestGateway } from '../support/gateway';

const USERS_V3 = '/identity/resources/users/v3';
/** Seeded tenant-acme members a tenant admin may see: every acme member but the invisible support account. */
const VISIBLE_ACME_MEMBERS = 9 + PAGING_MEMBER_COUNT;

describe('GET /v1/users: the members of the caller tenant (CONTRACT §4.3)', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ UPSTREAM_TIMEOUT_MS: '300', REQUEST_DEADLINE_MS: '2000' });
  });
  afterAll(() => gateway.close());
  beforeEach(() => gateway.reset());

  const list = async (query: string, caller: Parameters<TestGateway['token']>[0] = {}) =>
    gateway.http().get(`/v1/users${query}`).set('authorization', `Bearer ${await gateway.token(caller)}`);
  const listCalls = () => gateway.upstream.requests({ method: 'GET', path: USERS_V3 });

  it('pages through every visible member once, with hasMore and no count, asking the upstream for the tenant page', async () => {
    const first = await list('?limit=20');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ items: expect.any(Array), page: 0, limit: 20, hasMore: true });
    const second = await list('?limit=20&page=1');
    expect(second.body).toMatchObject({ page: 1, limit: 20, hasMore: false });
    const ids = [...first.body.items, ...second.body.items].map((member: { id: string }) => member.id);
    expect(new Set(ids).size).toBe(VISIBLE_ACME_MEMBERS);
    expect(ids).not.toContain(USER_SUPPORT);
    expect(ids).not.toContain(USER_CAROL);
    const [call] = await listCalls();
    expect(call.query).toEqual({ _limit: '20', _offset: '0', _sortBy: 'createdAt', _order: 'DESC' });
    expect(call.headers['frontegg-tenant-id']).toBe(TENANT_ACME);
  });

  it('answers each member as a Member of the caller tenant: its roles there, nothing else of the upstream user', async () => {
    const { body } = await list('?email=erin@shared.test', { userId: 'user-carol' });
    expect(body.items).toEqual([
      {
        id: USER_ERIN,
        email: 'erin@shared.test',
        name: 'Erin Both',
        profilePictureUrl: expect.any(String),
        verified: true,
        mfaEnrolled: true,
        roles: [{ id: 'role-globex-support', key: 'globex-support', name: 'Globex support' }],
        createdAt: '2024-02-07T10:00:00.000Z',
        lastLogin: '2024-06-07T08:00:00.000Z',
      },
    ]);
    expect((await listCalls())[0].headers['frontegg-tenant-id']).toBe(TENANT_GLOBEX);
  });

  it('filters by email and name prefix, and sorts as asked', async () => {
    expect((await list('?email=bob@acme.test')).body.items.map((member: { id: string }) => member.id)).toEqual([USER_BOB]);
    const named = await list('?name=Member%200&sort=name&order=asc');
    expect(named.body.items.map((member: { name: string }) => member.name)).toEqual(Array.from({ length: 9 }, (_, i) => `Member 0${i + 1}`));
    const [, call] = await listCalls();
    expect(call.query).toEqual({ _limit: '20', _offset: '0', _namePrefix: 'Member 0', _sortBy: 'name', _order: 'ASC' });
  });

  it('answers page 10000 (the last allowed) with no items and no next page', async () => {
    expect((await list('?page=10000')).body).toEqual({ items: [], page: 10000, limit: 20, hasMore: false });
  });

  it('lists only members of the caller tenant when the upstream ignores the tenant header and leaks every user', async () => {
    await gateway.upstream.injectFault({ method: 'GET', path: USERS_V3, ignoreTenantHeader: true });
    const { body } = await list('?limit=100');
    const ids = body.items.map((member: { id: string }) => member.id);
    expect(ids).toHaveLength(VISIBLE_ACME_MEMBERS);
    expect(ids).not.toEqual(expect.arrayContaining([USER_CAROL]));
    expect(ids).not.toContain('user-dave');
  });

  it('drops a foreign and an invisible user from an answer that holds them, and says nothing of counts', async () => {
    const foreign = { id: 'user-x', email: 'x@globex.test', tenantId: TENANT_GLOBEX, tenantIds: [TENANT_GLOBEX], tenants: [{ tenantId: TENANT_GLOBEX, roles: [] }] };
    const invisible = { id: USER_SUPPORT, email: 'support@vendor.test', invisible: true, tenantId: TENANT_ACME, tenants: [{ tenantId: TENANT_ACME, roles: [] }] };
    const member = { id: USER_BOB, email: 'bob@acme.test', tenantId: TENANT_ACME, tenants: [{ tenantId: TENANT_ACME, roles: [] }] };
    await gateway.upstream.injectFault({
      method: 'GET',
      path: USERS_V3,
      status: 200,
      body: { items: [foreign, invisible, member], _links: { next: '', prev: '', first: '', last: '' }, _metadata: { totalItems: 3, totalPages: 1 } },
    });
    const { body } = await list('');
    expect(body).toEqual({ items: [expect.objectContaining({ id: USER_BOB, name: null, roles: [] })], page: 0, limit: 20, hasMore: false });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['page=10001', 'page'],
    ['page=-1', 'page'],
    ['page=', 'page'],
    [`email=${'e'.repeat(255)}`, 'email'],
    ['email=', 'email'],
    [`name=${'n'.repeat(129)}`, 'name'],
    ['sort=password', 'sort'],
    ['order=DESC', 'order'],
    ['tenantId=tenant-globex', 'tenantId'],
    ['_limit=200', '_limit'],
  ])('refuses ?%s with a 400 naming %s, and sends nothing upstream', async (query, field) => {
    const response = await list(`?${query}`);
    expectProblem(response, 400);
    expect(response.body.detail).toContain(field);
    expect(await listCalls()).toEqual([]);
  });

  it('accepts a 254-character email filter', async () => {
    expect((await list(`?email=${'e'.repeat(254)}`)).status).toBe(200);
  });

  it('needs fe.secure.read.users: 403 missing-permission, nothing sent upstream', async () => {
    const response = await list('', { userId: USER_BOB });
    expectProblem(response, 403);
    expect(response.body.reason).toBe('missing-permission');
    expect(await listCalls()).toEqual([]);
  });

  it.each([
    [{ status: 429, headers: { 'retry-after': '7' } }, 503],
    [{ status: 500 }, 502],
    [{ status: 404 }, 404],
    [{ latencyMs: 1500, status: 200 }, 504],
  ])('maps an upstream failure %j to %i', async (fault, status) => {
    await gateway.upstream.injectFault({ method: 'GET', path: USERS_V3, ...fault });
    const response = await list('');
    expectProblem(response, status);
    if (status === 503) expect(response.headers['retry-after']).toBe('7');
  });
});
