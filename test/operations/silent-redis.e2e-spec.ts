import { USER_BOB, USER_CAROL, USER_DAVE, USER_FRANK, USER_GRACE } from '../../src/emulator';
import { startGatewayOn, startTestGateway, type TestGateway } from '../support/gateway';
import { startOwnRedis } from './support';
import { startRedisProxy, type RedisProxy } from '../support/redis-proxy';

const LIMIT = 15;
/** Generous against REDIS_COMMAND_TIMEOUT_MS (250 ms by default): a request waiting on Redis waited forever before. */
const ANSWER_BOUND_MS = 2_000;
/** How long the test waits for an answer before calling it none. */
const GIVE_UP_MS = 10_000;

jest.setTimeout(60_000);

interface SharedStoreDetails {
  status: string;
  store: string;
  connected?: boolean;
  state?: string;
  mode?: string;
}

/**
 * Issue 11, fault 1: a Redis that accepted the connection and passed the ready check, then
 * stopped answering, hung every /v1 request. Two gateways share one real Redis through a proxy
 * that the test makes silent (holds every byte) or slow (answers late).
 */
describe('a silent or slow Redis (issue 11)', () => {
  let redis: Awaited<ReturnType<typeof startOwnRedis>>;
  let proxy: RedisProxy;
  let first: TestGateway;
  let second: TestGateway;

  beforeAll(async () => {
    redis = await startOwnRedis();
    proxy = await startRedisProxy(redis.port);
    const environment = { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, RATE_LIMIT_PER_MINUTE: String(LIMIT), ROLES_CACHE_TTL_S: '300' };
    first = await startTestGateway(environment);
    second = await startGatewayOn(first.emulator, environment);
  });

  afterAll(async () => {
    proxy?.pass(); // let the gateways' last commands through so they close at once
    await second?.close();
    await first?.close();
    await proxy?.close();
    await redis?.kill();
  });

  /** The status and how long it took, or 'no answer' after GIVE_UP_MS. */
  async function timed(gateway: TestGateway, path: string, token: string): Promise<{ status: number | 'no answer'; ms: number }> {
    const started = performance.now();
    try {
      const response = await gateway.http().get(path).set('authorization', `Bearer ${token}`).timeout(GIVE_UP_MS);
      return { status: response.status, ms: Math.round(performance.now() - started) };
    } catch {
      return { status: 'no answer', ms: Math.round(performance.now() - started) };
    }
  }

  const sharedStoreOf = async (gateway: TestGateway): Promise<SharedStoreDetails> => {
    const response = await gateway.http().get('/health/ready').timeout(GIVE_UP_MS);
    expect(response.status).toBe(200); // reported, never failing readiness
    return (response.body as { info: { sharedStore: SharedStoreDetails } }).info.sharedStore;
  };

  const metricsOf = async (gateway: TestGateway): Promise<string> => (await gateway.http().get('/metrics').timeout(GIVE_UP_MS)).text;

  /** Polls readiness until the gateway says its state is shared again (the recovery probe runs in the background). */
  async function waitUntilShared(gateway: TestGateway, withinMs = 15_000): Promise<void> {
    const until = Date.now() + withinMs;
    let last: SharedStoreDetails | undefined;
    while (Date.now() < until) {
      last = await sharedStoreOf(gateway);
      if (last.state === 'ok') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`still not shared after ${withinMs} ms: ${JSON.stringify(last)}`);
  }

  /** `count` requests of one user, alternating between the two gateways, their statuses in order. */
  async function statusesAcrossBoth(token: string, count: number): Promise<Array<number | 'no answer'>> {
    const statuses: Array<number | 'no answer'> = [];
    for (let i = 0; i < count; i++) statuses.push((await timed(i % 2 === 0 ? first : second, '/v1/roles', token)).status);
    return statuses;
  }

  it('shares the rate limit and the cache while Redis answers', async () => {
    expect(await sharedStoreOf(first)).toEqual({ status: 'up', store: 'redis', connected: true, state: 'ok', mode: 'shared' });
    const bob = await first.token({ userId: USER_BOB });
    const statuses = await statusesAcrossBoth(bob, 2 * LIMIT);
    expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(LIMIT);
  });

  it('while Redis is silent, GET /v1/roles and GET /v1/me answer in bounded time, readiness says degraded, metrics count it', async () => {
    const alice = await first.token();
    proxy.silence();
    const roles = await timed(first, '/v1/roles', alice);
    const me = await timed(first, '/v1/me', alice);
    expect({ roles: roles.status, me: me.status }).toEqual({ roles: 200, me: 200 });
    expect(roles.ms).toBeLessThan(ANSWER_BOUND_MS);
    expect(me.ms).toBeLessThan(ANSWER_BOUND_MS);

    expect(await sharedStoreOf(first)).toEqual({ status: 'up', store: 'redis', connected: false, state: 'degraded', mode: 'per-instance' });
    const metrics = await metricsOf(first);
    expect(metrics).toMatch(/gateway_shared_store_timeouts_total\{use="[a-z-]+"\} [1-9]/);
    expect(metrics).toMatch(/gateway_shared_store_degraded 1/);
  });

  it('while Redis is silent, later requests skip it instead of each waiting for the command timeout', async () => {
    proxy.silence();
    const alice = await first.token();
    await timed(first, '/v1/roles', alice); // the first may meet the timeout
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await timed(first, '/v1/roles', alice));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    // Every request touches Redis at least twice (limit, cache): waiting would take 10 x 2 x 250 ms.
    expect(answers.reduce((total, answer) => total + answer.ms, 0)).toBeLessThan(ANSWER_BOUND_MS);
    expect(await metricsOf(first)).toMatch(/gateway_shared_store_bypassed_total\{use="rate-limit"\} [1-9]/);
  });

  it('while Redis is silent, rate limits still apply, per instance', async () => {
    proxy.silence();
    const grace = await first.token({ userId: USER_GRACE });
    const onFirst = [];
    for (let i = 0; i <= LIMIT; i++) onFirst.push((await timed(first, '/v1/roles', grace)).status);
    const onSecond = [];
    for (let i = 0; i <= LIMIT; i++) onSecond.push((await timed(second, '/v1/roles', grace)).status);
    const expected = [...Array<number>(LIMIT).fill(200), 429];
    expect({ onFirst, onSecond }).toEqual({ onFirst: expected, onSecond: expected });
  });

  it('a Redis slower than the command timeout is treated as silent: bounded answers, degraded', async () => {
    proxy.pass();
    await waitUntilShared(first);
    proxy.slow(1_500);
    const carol = await first.token({ userId: USER_CAROL });
    const roles = await timed(first, '/v1/roles', carol);
    const me = await timed(first, '/v1/me', carol);
    expect({ roles: roles.status, me: me.status }).toEqual({ roles: 200, me: 200 });
    expect(roles.ms).toBeLessThan(ANSWER_BOUND_MS);
    expect(me.ms).toBeLessThan(ANSWER_BOUND_MS);
    expect(await sharedStoreOf(first)).toMatchObject({ state: 'degraded', mode: 'per-instance' });
  });

  it('when Redis answers again, both instances share the rate limit and the cache again', async () => {
    proxy.pass();
    await Promise.all([waitUntilShared(first), waitUntilShared(second)]);

    const dave = await first.token({ userId: USER_DAVE });
    const statuses = await statusesAcrossBoth(dave, 2 * LIMIT);
    expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(LIMIT);

    const frank = await first.token({ userId: USER_FRANK });
    const alice = await first.token();
    const before = await second.http().get('/v1/roles').set('authorization', `Bearer ${frank}`);
    expect(before.headers['cache-status']).toMatch(/stored|hit/);
    const created = await first.http().post('/v1/roles').set('authorization', `Bearer ${alice}`).send({ key: 'after-recovery', name: 'After recovery', level: 40 });
    expect(created.status).toBe(201);
    const after = await second.http().get('/v1/roles').set('authorization', `Bearer ${frank}`);
    expect((after.body as { key: string }[]).map((role) => role.key)).toContain('after-recovery');
  });
});

/** The same fault from a real redis-server frozen with SIGSTOP: the kernel still accepts connections, nothing answers. */
describe('a frozen redis-server (issue 11)', () => {
  let redis: Awaited<ReturnType<typeof startOwnRedis>>;
  let gateway: TestGateway | undefined;
  let starting: TestGateway | undefined;

  beforeAll(async () => {
    redis = await startOwnRedis();
  });

  afterAll(async () => {
    redis?.process.kill('SIGCONT');
    await gateway?.close();
    await starting?.close();
    await redis?.kill();
  });

  const shared = async (candidate: TestGateway) =>
    ((await candidate.http().get('/health/ready').timeout(GIVE_UP_MS)).body as { info: { sharedStore: SharedStoreDetails } }).info.sharedStore;

  it('answers in bounded time while it is frozen, and shares state again once it is thawed', async () => {
    gateway = await startTestGateway({ REDIS_URL: `redis://127.0.0.1:${redis.port}`, RATE_LIMIT_PER_MINUTE: '100' });
    const alice = await gateway.token();
    expect((await gateway.http().get('/v1/roles').set('authorization', `Bearer ${alice}`)).status).toBe(200);
    expect(await shared(gateway)).toMatchObject({ connected: true });

    redis.process.kill('SIGSTOP');
    for (const path of ['/v1/roles', '/v1/me', '/v1/roles']) {
      const started = performance.now();
      const response = await gateway.http().get(path).set('authorization', `Bearer ${alice}`).timeout(GIVE_UP_MS);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(performance.now() - started).toBeLessThan(ANSWER_BOUND_MS);
    }
    expect(await shared(gateway)).toMatchObject({ connected: false, state: 'degraded', mode: 'per-instance' });

    redis.process.kill('SIGCONT');
    const until = Date.now() + 15_000;
    while ((await shared(gateway)).state !== 'ok' && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await shared(gateway)).toMatchObject({ connected: true, state: 'ok', mode: 'shared' });
  });

  it('starts while it is frozen (the ready check is bounded too) and answers per instance', async () => {
    redis.process.kill('SIGSTOP');
    const started = performance.now();
    starting = await startTestGateway({ REDIS_URL: `redis://127.0.0.1:${redis.port}` });
    expect(performance.now() - started).toBeLessThan(10_000);
    const alice = await starting.token();
    const response = await starting.http().get('/v1/roles').set('authorization', `Bearer ${alice}`).timeout(GIVE_UP_MS);
    expect(response.status).toBe(200);
    expect(await shared(starting)).toMatchObject({ state: 'degraded', mode: 'per-instance' });
    redis.process.kill('SIGCONT');
  });
});
