import { claimRedisDatabase, type ClaimedRedisDatabase } from '../support/redis-database';
import Redis from 'ioredis';
import { ROLE_ACME_AUDITOR, ROLE_ACME_HELPDESK, ROLE_MEMBER, startEmulator, USER_ALICE, USER_BOB, USER_ERIN, USER_GRACE, type RunningEmulator } from '../../src/emulator';
import { expectProblem } from '../support/assertions';
import { startGatewayOn, type TestGateway } from '../support/gateway';

const USER_READS = /^\/identity\/resources\/vendor-only\/users\/v1\/[^/]+$/;

/** Grants resolved from the identity API (CONTRACT §3): one call per user, no fallback, shared by every instance. */
describe('live roles and permissions (AUTHZ_SOURCE=live)', () => {
  let emulator: RunningEmulator;
  let gateway: TestGateway;

  beforeAll(async () => {
    emulator = await startEmulator();
    gateway = await startGatewayOn(emulator, { AUTHZ_SOURCE: 'live', AUTHZ_CACHE_TTL_S: '30' });
  });
  afterAll(async () => {
    await gateway.close();
    await emulator.close();
  });
  beforeEach(() => gateway.reset());

  const getAs = (token: string, path: string) => gateway.http().get(path).set('authorization', `Bearer ${token}`);

  it("makes one upstream call for a burst of one user's requests, and none while cached", async () => {
    const token = await gateway.token({ userId: USER_BOB });
    await gateway.upstream.clearRequests();
    const burst = await Promise.all(Array.from({ length: 25 }, () => getAs(token, '/v1/roles')));
    expect(burst.map((response) => response.status)).toEqual(Array(25).fill(200));
    expect(await gateway.upstream.requests({ method: 'GET', path: USER_READS })).toHaveLength(1);
    await getAs(token, '/v1/roles');
    expect(await gateway.upstream.requests({ method: 'GET', path: USER_READS })).toHaveLength(1);
  });

  it('fails with the upstream status when resolution fails, never with fewer checks', async () => {
    const token = await gateway.token({ userId: USER_BOB });
    await gateway.upstream.injectFault({ method: 'GET', path: `/identity/resources/vendor-only/users/v1/${USER_BOB}`, status: 500 });
    expectProblem(await getAs(token, '/v1/roles'), 502);
    await gateway.upstream.clearFaults();
    expect((await getAs(token, '/v1/roles')).status).toBe(200);
  });

  it("ignores the token's claims: permissions are those of the user's roles now", async () => {
    const forged = await gateway.token({ userId: USER_BOB, claims: { permissions: ['fe.secure.read.users'] } });
    const response = await getAs(forged, `/v1/users/${USER_GRACE}`);
    expectProblem(response, 403);
    expect(response.body.reason).toBe('missing-permission');
  });
});

describe('live grants shared by every instance on one Redis', () => {
  let database: ClaimedRedisDatabase;
  let emulator: RunningEmulator;
  let first: TestGateway;
  let second: TestGateway;
  let redis: Redis;

  beforeAll(async () => {
    database = await claimRedisDatabase();
    redis = database.redis;
    emulator = await startEmulator();
    const shared = { AUTHZ_SOURCE: 'live', AUTHZ_CACHE_TTL_S: '300', REDIS_URL: database.url };
    [first, second] = await Promise.all([startGatewayOn(emulator, shared), startGatewayOn(emulator, shared)]);
  });
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
    await database?.release();
    await emulator?.close();
  });

  it('drops a tenant on every instance when one of them changes a role', async () => {
    const grace = await first.token({ userId: USER_GRACE });
    const alice = await first.token({ userId: USER_ALICE });
    expect((await second.http().get(`/v1/users/${USER_BOB}`).set('authorization', `Bearer ${grace}`)).status).toBe(200);
    // The second instance resolved Grace once; the first instance resolves from the same store.
    await first.upstream.clearRequests();
    expect((await first.http().get(`/v1/users/${USER_BOB}`).set('authorization', `Bearer ${grace}`)).status).toBe(200);
    expect(await first.upstream.requests({ method: 'GET', path: `/identity/resources/vendor-only/users/v1/${USER_GRACE}` })).toHaveLength(0);

    const change = await first
      .http()
      .put(`/v1/roles/${ROLE_ACME_AUDITOR}/permissions`)
      .set('authorization', `Bearer ${alice}`)
      .send({ permissionIds: ['perm-reports-read'] });
    expect(change.status).toBe(200);
    const refused = await second.http().get(`/v1/users/${USER_BOB}`).set('authorization', `Bearer ${grace}`);
    expectProblem(refused, 403);
    expect(refused.body.reason).toBe('missing-permission');
  });

  it("refuses a removed member's very next request on every instance: 401 access revoked", async () => {
    const erin = await first.token({ userId: USER_ERIN });
    const alice = await first.token({ userId: USER_ALICE });
    expect((await second.http().get('/v1/roles').set('authorization', `Bearer ${erin}`)).status).toBe(200);
    expect((await first.http().delete(`/v1/users/${USER_ERIN}`).set('authorization', `Bearer ${alice}`)).status).toBe(204);
    const refused = await second.http().get('/v1/roles').set('authorization', `Bearer ${erin}`);
    expectProblem(refused, 401);
    expect(refused.body.detail).toBe('access revoked');
  });

  it("applies a member's new roles to its very next request on every instance", async () => {
    const member = 'user-acme-member-01';
    const token = await first.token({ userId: member });
    const alice = await first.token({ userId: USER_ALICE });
    const listAsMember = () => second.http().get('/v1/users').set('authorization', `Bearer ${token}`);
    expect((await listAsMember()).body.reason).toBe('missing-permission');
    const change = await first
      .http()
      .put(`/v1/users/${member}/roles`)
      .set('authorization', `Bearer ${alice}`)
      .send({ roleIds: [ROLE_MEMBER, ROLE_ACME_HELPDESK] });
    expect(change.status).toBe(200);
    expect((await listAsMember()).status).toBe(200);
  });
});
