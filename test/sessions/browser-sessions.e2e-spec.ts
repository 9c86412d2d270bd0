import { startTestGateway, type TestGateway, PROBLEM_JSON } from '../support/gateway';
import { CookieJar, SESSION_ENVIRONMENT, sessionHeaders, signIn, submitHostedForm, completeSignIn } from '../support/sessions';

describe('browser sessions (CONTRACT §8)', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ ...SESSION_ENVIRONMENT });
  });
  afterAll(() => gateway.close());
  beforeEach(() => gateway.reset());

  describe('GET /auth/login', () => {
    it('redirects to the hosted login with the code flow, PKCE S256, state and nonce, and binds the state to the browser', async () => {
      const answer = await gateway.http().get('/auth/login?returnTo=/settings').expect(302);
      const location = new URL(answer.headers.location);
      expect(`${location.origin}${location.pathname}`).toBe(`${gateway.emulator.url}/oauth/authorize`);
      const query = Object.fromEntries(location.searchParams);
      expect(query).toMatchObject({
        response_type: 'code',
        client_id: gateway.emulator.clientId,
        redirect_uri: 'http://gateway.test/auth/callback',
        code_challenge_method: 'S256',
      });
      expect(query.scope.split(' ')).toContain('openid');
      expect(query.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(query.state).toMatch(/^[A-Za-z0-9_-]{32,}$/);
      expect(query.nonce).toMatch(/^[A-Za-z0-9_-]{32,}$/);
      const loginCookie = (answer.headers['set-cookie'] as unknown as string[]).find((line) => line.startsWith('login='));
      expect(loginCookie).toBe(`login=${query.state}; Max-Age=600; Path=/; HttpOnly; SameSite=Lax`);
      expect(answer.headers['cache-control']).toBe('no-store');
    });

    it.each(['https://evil.example', '//evil.example', '/\\evil.example', 'evil', 'javascript:alert(1)', '/ok\nSet-Cookie: x=1'])(
      'refuses returnTo=%j with 400 and starts nothing',
      async (returnTo) => {
        const answer = await gateway.http().get(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`).expect(400);
        expect(answer.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(answer.headers['set-cookie']).toBeUndefined();
        expect(answer.headers.location).toBeUndefined();
      },
    );
  });

  describe('GET /auth/callback', () => {
    it('creates a session, sets only an opaque HttpOnly cookie, and returns to returnTo', async () => {
      const signedIn = await signIn(gateway, { returnTo: '/settings?tab=profile' });
      expect(signedIn.location).toBe('/settings?tab=profile');
      expect(signedIn.cookieName).toBe('session');
      expect(signedIn.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(signedIn.setCookie).toBe(`session=${signedIn.sessionId}; Max-Age=43200; Path=/; HttpOnly; SameSite=Lax`);
      expect(signedIn.jar.get('login')).toBeUndefined();
    });

    it('returns to / by default', async () => {
      expect((await signIn(gateway)).location).toBe('/');
    });

    it('refuses a replayed callback with 400 and creates nothing', async () => {
      const jar = new CookieJar();
      const login = await gateway.http().get('/auth/login').expect(302);
      jar.absorb(login.headers['set-cookie']);
      const loginCookie = jar.header();
      const callbackUrl = await submitHostedForm(login.headers.location, 'alice@acme.test', 'frontegg-dev-password');
      await completeSignIn(gateway, callbackUrl, jar);
      const callback = new URL(callbackUrl);
      const replay = await gateway.http().get(`${callback.pathname}${callback.search}`).set('cookie', loginCookie).expect(400);
      expect(replay.headers['content-type']).toMatch(PROBLEM_JSON);
      expect((replay.headers['set-cookie'] as unknown as string[] | undefined)?.some((line) => /^session=[^;]/.test(line)) ?? false).toBe(false);
    });

    it('refuses a callback whose state this browser did not start (login CSRF) with 400', async () => {
      const attacker = await gateway.http().get('/auth/login').expect(302);
      const callbackUrl = await submitHostedForm(attacker.headers.location, 'bob@acme.test', 'frontegg-dev-password');
      const callback = new URL(callbackUrl);
      // The victim's browser is sent to the attacker's callback: it holds no (or another) login cookie.
      await gateway.http().get(`${callback.pathname}${callback.search}`).expect(400);
      const victim = await gateway.http().get('/auth/login').expect(302);
      const victimCookie = (victim.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
      await gateway.http().get(`${callback.pathname}${callback.search}`).set('cookie', victimCookie).expect(400);
    });

    it('refuses a forged state with 400', async () => {
      await gateway.http().get('/auth/callback?code=x&state=forged').set('cookie', 'login=forged').expect(400);
    });
  });

  describe('cookie-authenticated calls', () => {
    it('serve GET /v1/me, PATCH /v1/me and GET /auth/session with the cookie and X-CSRF only, and never a token', async () => {
      const { jar } = await signIn(gateway);
      const me = await gateway.http().get('/v1/me').set(sessionHeaders(jar)).expect(200);
      expect(me.body).toMatchObject({ id: 'user-alice', tenantId: 'tenant-acme' });
      const patched = await gateway.http().patch('/v1/me').set(sessionHeaders(jar)).send({ name: 'Alice Cookie' }).expect(200);
      expect(patched.body.name).toBe('Alice Cookie');
      const session = await gateway.http().get('/auth/session').set(sessionHeaders(jar)).expect(200);
      expect(session.body).toEqual({ userId: 'user-alice', tenantId: 'tenant-acme', email: 'alice@acme.test', name: 'Alice Admin', expiresAt: expect.any(String) });
      const expiresIn = Date.parse(session.body.expiresAt) - Date.now();
      expect(expiresIn).toBeGreaterThan(1790_000);
      expect(expiresIn).toBeLessThanOrEqual(1800_000);
      expect(JSON.stringify(session.body)).not.toMatch(/eyJ/);
      // Cookies never go upstream.
      const upstream = (await gateway.upstream.requests()).filter((request) => request.path.startsWith('/identity/resources/users/'));
      expect(upstream.length).toBeGreaterThanOrEqual(1);
      for (const request of await gateway.upstream.requests()) expect(request.headers.cookie).toBeUndefined();
    });

    it('are refused with 403 reason csrf without X-CSRF: 1, or from a foreign origin', async () => {
      const { jar } = await signIn(gateway);
      const without = await gateway.http().get('/v1/me').set('cookie', jar.header()).expect(403);
      expect(without.body.reason).toBe('csrf');
      const wrongValue = await gateway.http().get('/v1/me').set({ cookie: jar.header(), 'x-csrf': 'yes' }).expect(403);
      expect(wrongValue.body.reason).toBe('csrf');
      const foreign = await gateway.http().patch('/v1/me').set({ ...sessionHeaders(jar), origin: 'https://evil.example' }).send({ name: 'Mallory' }).expect(403);
      expect(foreign.body.reason).toBe('csrf');
      await gateway.http().get('/v1/me').set({ ...sessionHeaders(jar), origin: 'http://gateway.test' }).expect(200);
      const logout = await gateway.http().post('/auth/logout').set('cookie', jar.header()).expect(403);
      expect(logout.body.reason).toBe('csrf');
      await gateway.http().get('/auth/session').set(sessionHeaders(jar)).expect(200);
    });

    it('are never kept by a shared cache: a cookie-authenticated answer is no-store (a Bearer one is private to its Authorization header already)', async () => {
      const { jar } = await signIn(gateway);
      for (const path of ['/v1/me', '/v1/roles', '/auth/session']) {
        const answer = await gateway.http().get(path).set(sessionHeaders(jar)).expect(200);
        expect(answer.headers['cache-control']).toBe('no-store');
      }
    });

    it('refuses a request carrying both the cookie and a Bearer token with 401', async () => {
      const { jar } = await signIn(gateway);
      const token = await gateway.token();
      const answer = await gateway.http().get('/v1/me').set({ ...sessionHeaders(jar), authorization: `Bearer ${token}` }).expect(401);
      expect(answer.headers['content-type']).toMatch(PROBLEM_JSON);
      await gateway.http().get('/v1/me').set('authorization', `Bearer ${token}`).expect(200);
    });

    it('answers 401 for an unknown or malformed session id', async () => {
      await gateway.http().get('/v1/me').set({ cookie: `session=${'A'.repeat(43)}`, 'x-csrf': '1' }).expect(401);
      await gateway.http().get('/v1/me').set({ cookie: 'session=not-a-session', 'x-csrf': '1' }).expect(401);
      await gateway.http().get('/auth/session').set({ cookie: `session=${'A'.repeat(43)}`, 'x-csrf': '1' }).expect(401);
    });

    it('GET /auth/session is 401 for a Bearer caller: it describes browser sessions only', async () => {
      await gateway.http().get('/auth/session').set('authorization', `Bearer ${await gateway.token()}`).expect(401);
      await gateway.http().get('/auth/session').expect(401);
    });
  });

  describe('POST /auth/logout', () => {
    it('ends the session, clears the cookie, and answers the provider logout URL with id_token_hint', async () => {
      const { jar, sessionId } = await signIn(gateway);
      const answer = await gateway.http().post('/auth/logout').set(sessionHeaders(jar)).expect(200);
      expect(answer.headers['set-cookie']).toEqual(['session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax']);
      const logoutUrl = new URL(answer.body.logoutUrl);
      expect(`${logoutUrl.origin}${logoutUrl.pathname}`).toBe(`${gateway.emulator.url}/oauth/logout`);
      expect(logoutUrl.searchParams.get('post_logout_redirect_uri')).toBe('http://gateway.test/');
      expect(logoutUrl.searchParams.get('id_token_hint')).toMatch(/^eyJ/);
      await gateway.http().get('/v1/me').set({ cookie: `session=${sessionId}`, 'x-csrf': '1' }).expect(401);
      // The provider's session ends when the browser visits logoutUrl: the refresh token dies with it.
      expect((await fetch(logoutUrl, { redirect: 'manual' })).status).toBe(302);
    });

    it('answers 200 and clears the cookie without a live session too', async () => {
      const answer = await gateway.http().post('/auth/logout').set({ cookie: `session=${'B'.repeat(43)}`, 'x-csrf': '1' }).expect(200);
      expect(new URL(answer.body.logoutUrl).searchParams.get('id_token_hint')).toBeNull();
      await gateway.http().post('/auth/logout').expect(200);
    });
  });

  it('counts sessions started and ended in gateway_session_events_total', async () => {
    const count = async (event: string) => {
      const text = (await gateway.http().get('/metrics').expect(200)).text;
      return Number(new RegExp(`^gateway_session_events_total\\{event="${event}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    };
    const [started, loggedOut] = [await count('started'), await count('logged_out')];
    const { jar } = await signIn(gateway);
    await gateway.http().post('/auth/logout').set(sessionHeaders(jar)).expect(200);
    expect(await count('started')).toBe(started + 1);
    expect(await count('logged_out')).toBe(loggedOut + 1);
  });

  describe('sign-in replaces the session (no fixation)', () => {
    it('issues a new id at every sign-in and ends the one the browser held', async () => {
      const first = await signIn(gateway);
      const second = await signIn(gateway, { jar: first.jar });
      expect(second.sessionId).not.toBe(first.sessionId);
      await gateway.http().get('/v1/me').set({ cookie: `session=${first.sessionId}`, 'x-csrf': '1' }).expect(401);
      await gateway.http().get('/v1/me').set(sessionHeaders(second.jar)).expect(200);
    });
  });
});
