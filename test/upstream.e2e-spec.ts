import { USER_ALICE } from '../src/emulator';
import { expectProblem } from './support/assertions';
import { startTestGateway, type TestGateway } from './support/gateway';

const USER_PATH = `/identity/resources/vendor-only/users/v1/${USER_ALICE}`;
const VENDOR_AUTH = '/auth/vendor';

describe('upstream calls (CONTRACT §5, §6)', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ UPSTREAM_TIMEOUT_MS: '300', ROLES_CACHE_TTL_S: '0' });
  });
  afterAll(() => gateway.close());
  beforeEach(() => gateway.reset());

  const getMe = async () => gateway.http().get('/v1/me').set('authorization', `Bearer ${await gateway.token({ userId: USER_ALICE })}`);
  const vendorAuthCalls = () => gateway.upstream.requests({ method: 'POST', path: VENDOR_AUTH });

  describe('vendor token', () => {
    it('is obtained with the environment credentials and sent on every management call', async () => {
      expect((await getMe()).status).toBe(200);
      const [auth] = await vendorAuthCalls();
      expect(auth.body).toEqual({ clientId: gateway.emulator.clientId, secret: gateway.emulator.apiKey });
      const [call] = await gateway.upstream.requests({ path: USER_PATH });
      expect(call.headers.authorization).toMatch(/^Bearer [^\s]+$/);
    });

    it('is obtained once for 100 concurrent first requests', async () => {
      const fresh = await startTestGateway();
      try {
        const token = await fresh.token();
        const answers = await Promise.all(
          Array.from({ length: 100 }, () => fresh.http().get('/v1/me').set('authorization', `Bearer ${token}`)),
        );
        expect(answers.map((answer) => answer.status)).toEqual(Array(100).fill(200));
        expect(await fresh.upstream.requests({ method: 'POST', path: VENDOR_AUTH })).toHaveLength(1);
        expect(await fresh.upstream.requests({ method: 'GET', path: '/.well-known/jwks.json' })).toHaveLength(1);
      } finally {
        await fresh.close();
      }
    });

    it('is renewed once and the call retried once when the upstream refuses it', async () => {
      expect((await getMe()).status).toBe(200);
      const [working] = await gateway.upstream.requests({ path: USER_PATH }).then((calls) => calls.slice(-1));
      await gateway.upstream.clearRequests();
      await gateway.upstream.expireVendorTokens();
      expect((await getMe()).status).toBe(200);
      const calls = await gateway.upstream.requests({ path: USER_PATH });
      expect(calls).toHaveLength(2);
      expect(calls[0].headers.authorization).toBe(working.headers.authorization); // refused
      expect(calls[1].headers.authorization).not.toBe(working.headers.authorization); // renewed, retried once
      expect(await vendorAuthCalls()).toHaveLength(1);
    });

    it('gives up with 502 when the renewed token is refused too', async () => {
      await gateway.upstream.injectFault({ method: 'GET', path: USER_PATH, status: 401 });
      expectProblem(await getMe(), 502);
      expect(await gateway.upstream.requests({ path: USER_PATH })).toHaveLength(2);
    });

    it('is renewed before it expires, so an expired one is never sent', async () => {
      const shortLived = await startTestGateway({}, { vendorTokenTtlSeconds: 1 });
      try {
        const token = await shortLived.token();
        const me = () => shortLived.http().get('/v1/me').set('authorization', `Bearer ${token}`);
        expect((await me()).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 1100));
        expect((await me()).status).toBe(200);
        const calls = await shortLived.upstream.requests({ path: USER_PATH });
        expect(calls).toHaveLength(2); // no 401 and retry: the second call already carried a new token
        expect(calls[1].headers.authorization).not.toBe(calls[0].headers.authorization);
        expect(await shortLived.upstream.requests({ method: 'POST', path: VENDOR_AUTH })).toHaveLength(2);
      } finally {
        await shortLived.close();
      }
    });

    it('answers 502 without leaking anything when the credentials are refused', async () => {
      const fresh = await startTestGateway({ FRONTEGG_API_KEY: 'wrong-key' });
      try {
        const response = await fresh.http().get('/v1/me').set('authorization', `Bearer ${await fresh.token()}`);
        expectProblem(response, 502);
        expect(JSON.stringify(response.body)).not.toMatch(/wrong-key|127\.0\.0\.1|auth\/vendor/);
      } finally {
        await fresh.close();
      }
    });
  });

  describe('fault mapping', () => {
    const fault = (spec: Record<string, unknown>) => gateway.upstream.injectFault({ method: 'GET', path: USER_PATH, ...spec });
    const userCalls = async () => (await gateway.upstream.requests({ path: USER_PATH })).length;

    // A success between tests keeps the circuit breaker closed (it opens after 5 failures in a row).
    afterEach(async () => {
      await gateway.upstream.clearFaults();
      expect((await getMe()).status).toBe(200);
    });

    it('upstream 404 → 404', async () => {
      await fault({ status: 404, body: { errors: ['User not found'] } });
      expectProblem(await getMe(), 404);
    });

    it('upstream 400 → 400 with its messages', async () => {
      await fault({ status: 400, body: { errors: ['first problem', 'second problem'] } });
      const response = await getMe();
      expectProblem(response, 400);
      expect(response.body.detail).toBe('first problem; second problem');
    });

    it('upstream 429 → 503 with Retry-After from X-Rate-Limit-Reset (RFC 3339)', async () => {
      await fault({ status: 429, rateLimitResetSeconds: 42 });
      const response = await getMe();
      expectProblem(response, 503);
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(40);
      expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(43);
    });

    it('upstream 429 → 503 with its own Retry-After, else 60 s', async () => {
      await fault({ status: 429, headers: { 'retry-after': '7' }, count: 1 });
      expect((await getMe()).headers['retry-after']).toBe('7');
      await fault({ status: 429, count: 1 });
      expect((await getMe()).headers['retry-after']).toBe('60');
    });

    it.each([500, 502, 503])('upstream %i → 502, after 2 retries of the read', async (status) => {
      await fault({ status });
      expectProblem(await getMe(), 502);
      expect(await userCalls()).toBe(3);
    });

    it('a dropped connection → 502', async () => {
      await fault({ dropConnection: true });
      expectProblem(await getMe(), 502);
    });

    it('a timeout → 504, after one retry of the read (a timed-out attempt is retried at most once)', async () => {
      await fault({ latencyMs: 600 });
      expectProblem(await getMe(), 504);
      expect(await userCalls()).toBe(2);
    });

    it('a redirect is not followed → 502', async () => {
      await fault({ status: 302, headers: { location: 'https://evil.example.com/steal' } });
      expectProblem(await getMe(), 502);
      expect(await userCalls()).toBe(1); // not transient: not retried
    });

    it('an unreachable upstream → 502, and the answer names no URL', async () => {
      const unreachable = await startTestGateway({ FRONTEGG_API_URL: 'http://127.0.0.1:9' });
      try {
        const response = await unreachable.http().get('/v1/me').set('authorization', `Bearer ${await unreachable.token()}`);
        expectProblem(response, 502);
        expect(JSON.stringify(response.body)).not.toMatch(/127\.0\.0\.1|:9|stack|Error:/);
      } finally {
        await unreachable.close();
      }
    });

    it('an answer that is not of the official shape → 502', async () => {
      await fault({ status: 200, body: ['not', 'a', 'user'] });
      expectProblem(await getMe(), 502);
    });
  });
});

describe('trace context to the upstream (issue 5)', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  const upstreamTraceparent = async (traceparent?: string) => {
    await gateway.upstream.clearRequests();
    const request = gateway.http().get('/v1/me').set('authorization', `Bearer ${await gateway.token({ userId: USER_ALICE })}`);
    expect((await (traceparent ? request.set('traceparent', traceparent) : request)).status).toBe(200);
    const [call] = await gateway.upstream.requests({ path: USER_PATH });
    return String(call.headers.traceparent);
  };

  it("passes the caller's W3C trace on, as a new span", async () => {
    const sent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const forwarded = await upstreamTraceparent(sent);
    expect(forwarded).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(forwarded).not.toBe(sent);
  });

  it('starts a trace when the caller sent none', async () => {
    expect(await upstreamTraceparent()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
