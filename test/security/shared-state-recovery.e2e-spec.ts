/**
 * Family 14 — shared-state recovery (CONTRACT §6; issue 20, finding 9): while Redis is away every
 * instance keeps its state to itself, so a change made through one instance is not in Redis. When
 * Redis answers again, what it held from before the change must never be served as fresh, on any
 * instance: not the role listing, not anyone's resolved grants. Two gateways share one real Redis
 * through a proxy the test silences (a Redis that stopped answering, its data intact) and releases.
 */
import { PERM_READ_ROLES, ROLE_ACME_AUDITOR, USER_ALICE, USER_BOB, USER_GRACE } from '../../src/emulator';
import { startOwnRedis } from '../operations/support';
import { startRedisProxy, type RedisProxy } from '../support/redis-proxy';
import { startGatewayOn, startSecurityGateway, type SecurityGateway } from './support/security-gateway';

jest.setTimeout(60_000);

describe('shared-state recovery (issue 20)', () => {
  let redis: Awaited<ReturnType<typeof startOwnRedis>>;
  let proxy: RedisProxy;
  let first: SecurityGateway;
  let second: SecurityGateway;

  beforeAll(async () => {
    redis = await startOwnRedis();
    proxy = await startRedisProxy(redis.port);
    // Long cache lifetimes: without the fix, Redis's copies would be fresh for the whole test.
    const environment = { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, AUTHZ_SOURCE: 'live', AUTHZ_CACHE_TTL_S: '300', ROLES_CACHE_TTL_S: '300' };
    first = await startSecurityGateway(environment);
    second = await startGatewayOn(first.emulator, environment);
  });

  afterAll(async () => {
    proxy?.pass();
    await second?.close();
    await first?.close();
    await proxy?.close();
    await redis?.kill();
  });

  beforeEach(async () => {
    proxy.pass();
    await Promise.all([waitUntilShared(first), waitUntilShared(second)]);
    await first.reset(); // the emulator's seed, and both caches (one Redis)
  });

  /** Polls readiness until the gateway says its state is shared again (the recovery probe runs in the background). */
  async function waitUntilShared(gateway: SecurityGateway, withinMs = 15_000): Promise<void> {
    const until = Date.now() + withinMs;
    let last: unknown;
    while (Date.now() < until) {
      const ready = await gateway.http().get('/health/ready');
      last = ready.body.info?.sharedStore;
      if ((last as { state?: string } | undefined)?.state === 'ok') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`still not shared after ${withinMs} ms: ${JSON.stringify(last)}`);
  }

  const bearer = async (gateway: SecurityGateway, userId: string) => `Bearer ${await gateway.token({ userId })}`;
  const roleKeys = async (gateway: SecurityGateway, authorization: string) =>
    ((await gateway.http().get('/v1/roles').set('authorization', authorization).expect(200)).body as { key: string }[]).map((role) => role.key);

  it('a role created through one instance while Redis was away is listed by both once it is back (finding 9)', async () => {
    const bob = await bearer(first, USER_BOB);
    // Both instances have read the listing: Redis holds it, fresh for 300 s.
    expect(await roleKeys(first, bob)).not.toContain('made-while-away');
    expect(await roleKeys(second, bob)).not.toContain('made-while-away');

    proxy.silence();
    const alice = await bearer(first, USER_ALICE);
    await first.http().post('/v1/roles').set('authorization', alice).send({ key: 'made-while-away', name: 'Made while away', level: 60 }).expect(201);
    expect(await roleKeys(first, bob)).toContain('made-while-away'); // per instance meanwhile: already right

    proxy.pass();
    await Promise.all([waitUntilShared(first), waitUntilShared(second)]);
    expect(await roleKeys(first, bob)).toContain('made-while-away');
    expect(await roleKeys(second, bob)).toContain('made-while-away');
  });

  it("a permission taken from a role while Redis was away is not given back by Redis's cached grants, on either instance (finding 9)", async () => {
    const grace = await bearer(first, USER_GRACE);
    // Grace (acme-auditor) reads members through both: her resolved grants are in Redis, fresh for 300 s.
    await first.http().get(`/v1/users/${USER_BOB}`).set('authorization', grace).expect(200);
    await second.http().get(`/v1/users/${USER_BOB}`).set('authorization', grace).expect(200);

    proxy.silence();
    const alice = await bearer(first, USER_ALICE);
    await first.http().put(`/v1/roles/${ROLE_ACME_AUDITOR}/permissions`).set('authorization', alice).send({ permissionIds: [PERM_READ_ROLES] }).expect(200);
    await first.http().get(`/v1/users/${USER_BOB}`).set('authorization', grace).expect(403);

    proxy.pass();
    await Promise.all([waitUntilShared(first), waitUntilShared(second)]);
    for (const gateway of [first, second]) {
      const answer = await gateway.http().get(`/v1/users/${USER_BOB}`).set('authorization', grace);
      expect({ instance: gateway === first ? 'first' : 'second', status: answer.status }).toEqual({ instance: gateway === first ? 'first' : 'second', status: 403 });
    }
  });
});
