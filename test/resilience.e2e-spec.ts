import { USER_ALICE } from '../src/emulator';
import { advanceClock, expectProblem } from './support/assertions';
import { startTestGateway, type TestGateway } from './support/gateway';

const USER_PATH = `/identity/resources/vendor-only/users/v1/${USER_ALICE}`;
const UPDATE_PATH = `/identity/resources/users/v1/${USER_ALICE}`;
const ROLES = '/identity/resources/roles/v1';

describe('upstream resilience (issue 5)', () => {
  let gateway: TestGateway;

  beforeEach(async () => {
    gateway = await startTestGateway({ ROLES_CACHE_TTL_S: '1', UPSTREAM_TIMEOUT_MS: '300' });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await gateway.close();
  });

  const bearer = async () => `Bearer ${await gateway.token({ userId: USER_ALICE })}`;
  const getMe = async () => gateway.http().get('/v1/me').set('authorization', await bearer());
  const calls = async (path: string, method?: string) => (await gateway.upstream.requests({ path, method })).length;

  describe('retries', () => {
    it('retries a read after transient failures, with backoff, and succeeds', async () => {
      await gateway.upstream.injectFault({ method: 'GET', path: USER_PATH, status: 503, count: 2 });
      expect((await getMe()).status).toBe(200);
      expect(await calls(USER_PATH)).toBe(3);
    });

    it('never retries a write', async () => {
      await gateway.upstream.injectFault({ method: 'PUT', path: UPDATE_PATH, status: 500 });
      const response = await gateway.http().patch('/v1/me').set('authorization', await bearer()).send({ name: 'x' });
      expectProblem(response, 502);
      expect(await calls(UPDATE_PATH, 'PUT')).toBe(1);
    });

    it('never retries a 429: answered at once with its Retry-After', async () => {
      await gateway.upstream.injectFault({ method: 'GET', path: USER_PATH, status: 429, rateLimitResetSeconds: 20 });
      const response = await getMe();
      expectProblem(response, 503);
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(19);
      expect(await calls(USER_PATH)).toBe(1);
    });

    it('retries POST /auth/vendor (at most 2 retries)', async () => {
      await gateway.upstream.injectFault({ method: 'POST', path: '/auth/vendor', status: 500, count: 2 });
      expect((await getMe()).status).toBe(200);
      expect(await calls('/auth/vendor', 'POST')).toBe(3);
    });
  });

  describe('circuit breaker', () => {
    const burst = async (count: number) => {
      const token = await bearer();
      return Promise.all(Array.from({ length: count }, () => gateway.http().get('/v1/me').set('authorization', token)));
    };

    it('opens when most requests fail, fails fast with 503 + Retry-After, and closes by itself', async () => {
      await gateway.upstream.injectFault({ method: 'GET', path: USER_PATH, status: 500 });
      const failing = await burst(25);
      // On a loaded machine some of the 25 attempts outlast UPSTREAM_TIMEOUT_MS=300: a 504 is a failure the breaker counts too.
      expect(failing.map((answer) => answer.status).filter((status) => ![502, 503, 504].includes(status))).toEqual([]);
      const before = await calls(USER_PATH);

      const fastFail = await getMe();
      expectProblem(fastFail, 503);
      expect(Number(fastFail.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(fastFail.headers['retry-after'])).toBeLessThanOrEqual(5);
      expect(await calls(USER_PATH)).toBe(before); // the upstream was spared

      await gateway.upstream.clearFaults();
      advanceClock(5_500);
      expect((await getMe()).status).toBe(200); // the trial call closes it
      expect((await getMe()).status).toBe(200);
    });

    it('stays closed through a short blip among successes', async () => {
      expect((await burst(30)).every((answer) => answer.status === 200)).toBe(true);
      await gateway.upstream.injectFault({ method: 'GET', path: USER_PATH, status: 500, count: 9 }); // 3 requests, 3 attempts each
      const blip = await burst(3);
      expect(blip.map((answer) => answer.status)).toEqual([502, 502, 502]);
      expect((await getMe()).status).toBe(200);
    });

    it('is not opened by client errors', async () => {
      await gateway.upstream.injectFault({ method: 'GET', path: USER_PATH, status: 404 });
      const answers = await burst(25);
      expect(answers.every((answer) => answer.status === 404)).toBe(true);
      expect(await calls(USER_PATH)).toBe(25);
    });
  });

  describe('stale role reads while the upstream fails', () => {
    const getRoles = async () => gateway.http().get('/v1/roles').set('authorization', await bearer());

    it('marks fresh, stored and stale answers with Cache-Status (RFC 9211)', async () => {
      const miss = await getRoles();
      expect(miss.headers['cache-status']).toBe('gateway; fwd=uri-miss; stored');
      const hit = await getRoles();
      expect(hit.headers['cache-status']).toMatch(/^gateway; hit; ttl=\d+$/);

      await gateway.upstream.injectFault({ method: 'GET', path: ROLES, status: 500 });
      advanceClock(2_000);
      const stale = await getRoles();
      expect(stale.status).toBe(200);
      expect(stale.body).toEqual(miss.body);
      expect(stale.headers['cache-status']).toMatch(/^gateway; fwd=stale; fwd-status=502; ttl=-\d+; detail=stale-if-error$/);
    });

    it('serves stale for at most 5 minutes past freshness', async () => {
      await getRoles();
      await gateway.upstream.injectFault({ method: 'GET', path: ROLES, status: 500 });
      advanceClock(1_000 + 5 * 60_000 + 1_000);
      expectProblem(await getRoles(), 502);
    });

    it('still falls back on the previous roles after a change, while the upstream fails', async () => {
      const before = await getRoles();
      const created = await gateway.http().post('/v1/roles').set('authorization', await bearer()).send({ key: 'fresh', name: 'Fresh', level: 40 });
      expect(created.status).toBe(201);
      await gateway.upstream.injectFault({ method: 'GET', path: ROLES, status: 500 });
      const stale = await getRoles();
      expect(stale.status).toBe(200);
      expect(stale.body).toEqual(before.body);
      expect(stale.headers['cache-status']).toMatch(/detail=stale-if-error$/);
    });

    it('never serves stale for a client error', async () => {
      await getRoles();
      await gateway.upstream.injectFault({ method: 'GET', path: ROLES, status: 404 });
      advanceClock(2_000);
      expectProblem(await getRoles(), 404);
    });
  });

  describe('vendor-auth outage', () => {
    it('keeps using the current vendor token while it is valid', async () => {
      expect((await getMe()).status).toBe(200);
      await gateway.upstream.injectFault({ method: 'POST', path: '/auth/vendor', status: 503 });
      advanceClock(50 * 60_000); // past 80 % of the emulator's one-hour lifetime: renewal is due
      expect((await getMe()).status).toBe(200);
      expect((await getMe()).status).toBe(200);
      expect(await calls('/auth/vendor', 'POST')).toBeGreaterThan(1); // renewal kept being retried in the background
    });
  });
});
