import { SessionStore } from '../../src/sessions/session-store';
import { startGatewayOn, startTestGateway, type TestGateway, PROBLEM_JSON } from '../support/gateway';
import { refreshGrants, until, untilTokenChanges, sessionHeaders, sessionTokenTimes, signIn, SESSION_ENVIRONMENT, sleep, untilRefreshPoint, untilExpired } from '../support/sessions';

/** Short access tokens so that refresh happens within a test; at least 2 s of life, so the refresh point comes before the end. */
const ACCESS_TOKEN_TTL_S = 3;
/** Short, so that a provider slower than it is seen within a test; the emulator answers in milliseconds otherwise. */
const UPSTREAM_TIMEOUT_MS = 700;
const UPSTREAM_MAX_RESPONSE_BYTES = 64 * 1024;

jest.setTimeout(30_000);

/**
 * The session's access token refreshed server-side (CONTRACT §8): when, what the provider's
 * refusal or silence does to the session, and the idle and absolute lifetimes.
 */
describe('session refresh and lifetimes (CONTRACT §8)', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway(
      {
        ...SESSION_ENVIRONMENT,
        UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
        UPSTREAM_MAX_RESPONSE_BYTES: String(UPSTREAM_MAX_RESPONSE_BYTES),
        LOG_LEVEL: process.env.DEBUG_LOG ?? 'silent',
      },
      { oauthAccessTokenTtlSeconds: ACCESS_TOKEN_TTL_S },
    );
  });
  afterAll(() => gateway?.close());
  beforeEach(() => gateway.reset());

  const me = (jar: Parameters<typeof sessionHeaders>[0], on = gateway) => on.http().get('/v1/me').set(sessionHeaders(jar));

  describe('refresh', () => {
    it('refreshes the access token past its refresh point with one refresh_token grant, rotates the refresh token, and the session goes on', async () => {
      const { jar, sessionId } = await signIn(gateway);
      const before = await sessionTokenTimes(gateway, sessionId);
      await me(jar).expect(200);
      expect(await refreshGrants(gateway.upstream)).toHaveLength(0); // fresh token: nothing to refresh

      await untilRefreshPoint(before);
      const answer = await me(jar).expect(200); // the current token serves it; the refresh may finish behind it
      expect(answer.body.email).toBe('alice@acme.test');
      const after = await untilTokenChanges(gateway, sessionId, before);
      expect(await refreshGrants(gateway.upstream)).toHaveLength(1);
      expect(after.expiresAt).toBeGreaterThan(before.expiresAt);
      expect(after.refreshToken).not.toBe(before.refreshToken); // rotated, and the new one is kept

      // The second refresh uses the rotated token, which the provider accepts (a reused one would end the family).
      await untilRefreshPoint(after);
      await me(jar).expect(200);
      await untilTokenChanges(gateway, sessionId, after);
      const second = await refreshGrants(gateway.upstream);
      expect(second).toHaveLength(2);
      expect(second[1].body).toMatchObject({ refresh_token: after.refreshToken });
      await gateway.http().get('/auth/session').set(sessionHeaders(jar)).expect(200);
    });

    it('refreshes an access token that already expired while the browser was away', async () => {
      const { jar, sessionId } = await signIn(gateway);
      await untilExpired(await sessionTokenTimes(gateway, sessionId));
      await me(jar).expect(200);
      expect(await refreshGrants(gateway.upstream)).toHaveLength(1);
    });

    it('ends the session when the provider refuses the refresh token (sign-ins revoked): 401, and 401 again after', async () => {
      const { jar, sessionId } = await signIn(gateway);
      expect(await gateway.upstream.revokeOAuthSignIns()).toBeGreaterThanOrEqual(1);
      await untilExpired(await sessionTokenTimes(gateway, sessionId));

      const refused = await me(jar).expect(401);
      expect(refused.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(refused.headers['www-authenticate']).toBe('Bearer realm="api"');
      await me(jar).expect(401);
      await gateway.http().get('/auth/session').set(sessionHeaders(jar)).expect(401);
      expect(await refreshGrants(gateway.upstream)).toHaveLength(1); // the ended session does not try again
      expect(await gateway.app.get(SessionStore).peek(sessionId)).toBeUndefined();
    });

    it('ends the session at once when the provider refuses at the refresh point, the old token still valid: 401', async () => {
      const { jar, sessionId } = await signIn(gateway);
      await gateway.upstream.revokeOAuthSignIns();
      await untilRefreshPoint(await sessionTokenTimes(gateway, sessionId));
      await me(jar).expect(401);
      await me(jar).expect(401);
      expect(await refreshGrants(gateway.upstream)).toHaveLength(1);
    });

    it('ends the session when the provider refuses a reused refresh token (its whole family is revoked)', async () => {
      const { jar, sessionId } = await signIn(gateway);
      const stolen = (await sessionTokenTimes(gateway, sessionId)).refreshToken!;
      // Someone else redeems the session's refresh token first: the session's own use is then a reuse.
      const redeemed = await fetch(`${gateway.emulator.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: stolen, client_id: gateway.emulator.clientId }),
      });
      expect(redeemed.status).toBe(200);
      await untilExpired(await sessionTokenTimes(gateway, sessionId));

      await me(jar).expect(401);
      await me(jar).expect(401);
    });

    it('keeps the session while the provider does not answer: 200 while the token is valid, 502 once it expired, 200 again when the provider is back', async () => {
      const { jar, sessionId } = await signIn(gateway);
      const times = await sessionTokenTimes(gateway, sessionId);
      await gateway.upstream.injectFault({ method: 'POST', path: '/oauth/token', status: 503 });

      await untilRefreshPoint(times);
      await me(jar).expect(200); // the refresh fails, the access token is still good
      await until(async () => (await refreshGrants(gateway.upstream)).length >= 1, 'a refresh attempt');

      await untilExpired(times);
      const down = await me(jar).expect(502);
      expect(down.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(JSON.stringify(down.body)).not.toMatch(/oauth\/token|127\.0\.0\.1|refresh_token/); // no upstream URL nor token
      await gateway.http().get('/auth/session').set(sessionHeaders(jar)).expect(502);

      await gateway.upstream.clearFaults();
      await me(jar).expect(200);
      expect((await sessionTokenTimes(gateway, sessionId)).expiresAt).toBeGreaterThan(times.expiresAt);
    });

    it('does not hold requests for a slow provider while the access token is still valid: 200, not 502 once the token expired during the wait', async () => {
      const { jar, sessionId } = await signIn(gateway);
      const times = await sessionTokenTimes(gateway, sessionId);
      // The provider answers only after UPSTREAM_TIMEOUT_MS, longer than the token has left at its refresh point.
      await gateway.upstream.injectFault({ method: 'POST', path: '/oauth/token', latencyMs: 2 * UPSTREAM_TIMEOUT_MS, status: 503 });
      await untilRefreshPoint(times);
      expect(times.expiresAt - Date.now()).toBeLessThan(UPSTREAM_TIMEOUT_MS);
      await me(jar).expect(200);
      await gateway.upstream.clearFaults();
    });

    // The provider not answering usefully is not a refusal: the refresh token may still be good, so the
    // session is kept (502 while the access token is expired) and goes on when the provider is back.
    it.each([
      ['drops the connection', { dropConnection: true }],
      ['answers after UPSTREAM_TIMEOUT_MS', { latencyMs: 2 * UPSTREAM_TIMEOUT_MS, status: 503 }],
      ['answers more than UPSTREAM_MAX_RESPONSE_BYTES', { oversizedBodyBytes: 2 * UPSTREAM_MAX_RESPONSE_BYTES }],
      ['answers a proxy error page', { status: 502, body: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html' } }],
    ])('keeps the session when the provider %s: 502 once the token expired, 200 when the provider is back', async (_what, fault) => {
      const { jar, sessionId } = await signIn(gateway);
      const times = await sessionTokenTimes(gateway, sessionId);
      await gateway.upstream.injectFault({ method: 'POST', path: '/oauth/token', ...fault });
      await untilExpired(times);
      await me(jar).expect(502);
      await gateway.upstream.clearFaults();
      await me(jar).expect(200);
      expect((await sessionTokenTimes(gateway, sessionId)).refreshToken).not.toBe(times.refreshToken);
    });
  });

  describe('lifetimes', () => {
    let idle: TestGateway;
    let absolute: TestGateway;

    beforeAll(async () => {
      idle = await startGatewayOn(gateway.emulator, { ...SESSION_ENVIRONMENT, SESSION_IDLE_TIMEOUT_S: '2' });
      absolute = await startGatewayOn(gateway.emulator, { ...SESSION_ENVIRONMENT, SESSION_IDLE_TIMEOUT_S: '2', SESSION_MAX_AGE_S: '3' });
    });
    afterAll(async () => {
      await idle?.close();
      await absolute?.close();
    });

    it('ends a session left idle longer than SESSION_IDLE_TIMEOUT_S: 401', async () => {
      const { jar } = await signIn(idle);
      await me(jar, idle).expect(200);
      await sleep(2_300);
      await me(jar, idle).expect(401);
      await idle.http().get('/auth/session').set(sessionHeaders(jar)).expect(401);
    });

    it('keeps a session in use alive past SESSION_IDLE_TIMEOUT_S: each request restarts it', async () => {
      const { jar } = await signIn(idle);
      for (let i = 0; i < 6; i++) {
        await sleep(800);
        await me(jar, idle).expect(200); // 4.8 s after sign-in at the end, 0.8 s idle at most
      }
    });

    it('ends a session at SESSION_MAX_AGE_S whatever its activity: 401', async () => {
      const { jar, sessionId } = await signIn(absolute);
      const { absoluteExpiresAt } = (await absolute.app.get(SessionStore).peek(sessionId))!;
      const session = await absolute.http().get('/auth/session').set(sessionHeaders(jar)).expect(200);
      expect(Date.parse(session.body.expiresAt)).toBeLessThanOrEqual(absoluteExpiresAt);
      // Active all along, never idle for a whole second, until shortly before the absolute end.
      for (;;) {
        await sleep(500);
        if (Date.now() > absoluteExpiresAt - 400) break;
        await me(jar, absolute).expect(200);
      }
      await sleep(absoluteExpiresAt + 100 - Date.now());
      await me(jar, absolute).expect(401);
      await me(jar, absolute).expect(401);
    });
  });
});
