import Redis from 'ioredis';
import { requireRedis } from '../operations/support';
import { startGatewayOn, startTestGateway, type TestGateway, PROBLEM_JSON } from '../support/gateway';
import { startRedisProxy, type RedisProxy } from '../support/redis-proxy';
import { CookieJar, refreshGrants, untilTokenChanges, sessionHeaders, sessionTokenTimes, signIn, SESSION_ENVIRONMENT, untilExpired, untilRefreshPoint } from '../support/sessions';

/**
 * Database 0 of the machine's Redis: the other suites that share it take a random one of 1-15 and
 * flush it, so 0 is the one nobody flushes under these sessions. Nothing here flushes it either:
 * session keys are digests of random ids, and they end with their idle timeout.
 */
const DATABASE = 0;
const REDIS_URL = `redis://127.0.0.1:6379/${DATABASE}`;
const ACCESS_TOKEN_TTL_S = 3;
const CONCURRENT = 50;
/** Far above the 250 ms Redis command timeout, far below the 10 s request deadline: an answer that waited on a silent Redis misses it. */
const ANSWER_WITHIN_MS = 3_000;

jest.setTimeout(60_000);

/**
 * Two gateway instances (each its own application, Redis connection and in-process refresh
 * single flight) on one Redis, against one provider: any instance serves any session, a logout
 * ends it everywhere, and a token is refreshed once per session however many requests on however
 * many instances need it at the same moment (CONTRACT §8).
 */
describe('browser sessions on many instances (CONTRACT §8)', () => {
  let first: TestGateway;
  let second: TestGateway;
  let redis: Redis;

  const environment = {
    ...SESSION_ENVIRONMENT,
    REDIS_URL,
    RATE_LIMIT_PER_MINUTE: '100000',
    SESSION_IDLE_TIMEOUT_S: '120',
    REQUEST_DEADLINE_MS: '5000',
    LOG_LEVEL: process.env.DEBUG_LOG ?? 'silent',
  };

  beforeAll(async () => {
    await requireRedis(); // fails, never skips, without Redis
    redis = new Redis(REDIS_URL);
    first = await startTestGateway(environment, { oauthAccessTokenTtlSeconds: ACCESS_TOKEN_TTL_S });
    second = await startGatewayOn(first.emulator, environment);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    redis?.disconnect();
  });
  beforeEach(async () => {
    await first.upstream.reset();
  });

  const me = (gateway: TestGateway, jar: CookieJar) => gateway.http().get('/v1/me').set(sessionHeaders(jar));
  const sessionKeys = async () => (await redis.keys('gateway:session:*')).filter((key) => !key.endsWith(':refresh'));

  it('keeps sessions in Redis, sealed: a session signed in through one instance is served by the other', async () => {
    const before = new Set(await sessionKeys());
    const { jar, sessionId } = await signIn(first);
    const added = (await sessionKeys()).filter((key) => !before.has(key));
    expect(added).toHaveLength(1);
    const stored = (await redis.get(added[0]))!;
    expect(stored.split('.')).toHaveLength(5); // a compact JWE
    expect(stored).not.toContain(sessionId);
    expect(stored).not.toContain('alice');

    expect((await me(second, jar).expect(200)).body.email).toBe('alice@acme.test');
    await second.http().get('/auth/session').set(sessionHeaders(jar)).expect(200);
    await me(first, jar).expect(200);
  });

  it('a logout through one instance ends the session on the other: 401', async () => {
    const { jar } = await signIn(first);
    await me(second, jar).expect(200);
    await first.http().post('/auth/logout').set(sessionHeaders(jar)).expect(200);
    const after = await me(second, jar).expect(401);
    expect(after.headers['content-type']).toMatch(PROBLEM_JSON);
    await second.http().get('/auth/session').set(sessionHeaders(jar)).expect(401);
  });

  describe.each([
    ['at the refresh point (the old token still valid)', untilRefreshPoint],
    ['after the token expired (every request needs the new one)', (times: Parameters<typeof untilExpired>[0]) => untilExpired(times, 50)],
  ])('%s', (_when, until) => {
    it(`${CONCURRENT} concurrent requests, half on each instance, cause exactly one refresh, and all answer 200`, async () => {
      const { jar, sessionId } = await signIn(first);
      const times = await sessionTokenTimes(first, sessionId);
      await first.upstream.clearRequests();
      await until(times);

      const answers = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => me(i % 2 === 0 ? first : second, jar)));
      expect(answers.map((answer) => answer.status)).toEqual(Array(CONCURRENT).fill(200));
      const after = await untilTokenChanges(second, sessionId, times); // at the refresh point it may finish behind the answers
      expect(await refreshGrants(first.upstream)).toHaveLength(1);

      expect(after.expiresAt).toBeGreaterThan(times.expiresAt);
      expect(after.refreshToken).not.toBe(times.refreshToken);
      await me(second, jar).expect(200);
      await me(first, jar).expect(200);
      expect(await refreshGrants(first.upstream)).toHaveLength(1);
    });
  });

  it('while the provider does not answer, an expired session answers 502 on both instances (not held until the deadline), and goes on when it is back', async () => {
    const { jar, sessionId } = await signIn(first);
    const times = await sessionTokenTimes(first, sessionId);
    await first.upstream.injectFault({ method: 'POST', path: '/oauth/token', status: 503 });
    await untilExpired(times, 50);

    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => me(i % 2 === 0 ? first : second, jar)));
    // Held until the request deadline, the instance without the lock would answer 503 'being refreshed'.
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(502));

    await first.upstream.clearFaults();
    await first.upstream.clearRequests();
    const back = await Promise.all(Array.from({ length: 10 }, (_, i) => me(i % 2 === 0 ? first : second, jar)));
    expect(back.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(await refreshGrants(first.upstream)).toHaveLength(1);
  });

  describe('with Redis silent', () => {
    let proxy: RedisProxy;
    let behindProxy: TestGateway;

    beforeAll(async () => {
      proxy = await startRedisProxy(6379);
      behindProxy = await startGatewayOn(first.emulator, { ...environment, REDIS_URL: `redis://127.0.0.1:${proxy.port}/${DATABASE}` });
    });
    afterAll(async () => {
      proxy?.pass(); // the gateway's last commands go through, so it closes at once
      await behindProxy?.close();
      await proxy?.close();
    });

    it('a cookie call answers 503 with Retry-After at once while Bearer calls keep working, and the session is back with Redis', async () => {
      const { jar } = await signIn(behindProxy);
      await me(behindProxy, jar).expect(200);
      const bearer = await first.token();
      proxy.silence();

      for (let i = 0; i < 3; i++) {
        const cookieCall = await me(behindProxy, jar).timeout(ANSWER_WITHIN_MS);
        expect(cookieCall.status).toBe(503);
        expect(cookieCall.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(cookieCall.headers['retry-after']).toMatch(/^[1-9][0-9]*$/);
        const bearerCall = await behindProxy.http().get('/v1/me').set('authorization', `Bearer ${bearer}`).timeout(ANSWER_WITHIN_MS);
        expect(bearerCall.status).toBe(200);
      }
      await behindProxy.http().get('/auth/session').set(sessionHeaders(jar)).timeout(ANSWER_WITHIN_MS).expect(503);

      proxy.pass();
      // The session was kept: it works again once the gateway sees Redis answer (its recovery probe).
      const until = Date.now() + 15_000;
      let status = 0;
      while (Date.now() < until && status !== 200) {
        status = (await me(behindProxy, jar)).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(status).toBe(200);
    });
  });
});
