/**
 * Family 9 — attacks on browser sessions (CONTRACT §8; OWASP API2, ASVS V3): session fixation,
 * cross-site request forgery, stolen, forged and tampered cookies and store values, a replayed
 * refresh token, redirect targets after sign-in (open redirects, paths that normalize to another
 * origin, values a Location cannot carry), the cookie's attributes, header combinations (the cookie
 * with any Authorization header), and secrets in the log. Each threat asserts what the gateway
 * does, not what it says.
 */
import { claimRedisDatabase, type ClaimedRedisDatabase } from '../support/redis-database';
import { hash } from 'node:crypto';
import Redis from 'ioredis';
import { SessionStore, type SessionRecord } from '../../src/sessions/session-store';
import { advanceClock } from '../support/assertions';
import { PROBLEM_JSON } from '../support/gateway';
import { JWT_IN_CLEAR, holdsJwtInClear } from '../support/jwt-in-clear';
import { ALICE, CookieJar, SESSION_ENVIRONMENT, completeSignIn, sessionHeaders, signIn, submitHostedForm } from '../support/sessions';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

// Sign-ins are several round trips each, and the machine running the suite may be busy: bounds, not speeds.
jest.setTimeout(30_000);

const APP_ORIGIN = 'https://app.example.com';
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const storeKey = (id: string) => `gateway:session:${hash('sha256', id, 'base64url')}`;
const setCookiesOf = (response: { headers: Record<string, unknown> }) => (response.headers['set-cookie'] as string[] | undefined) ?? [];
const sessionOf = (g: SecurityGateway, id: string): Promise<SessionRecord | undefined> => g.app.get(SessionStore).peek(id);
const cookieCall = (id: string, name = 'session') => ({ cookie: `${name}=${id}`, 'x-csrf': '1' });

/** One character of a base64url string changed, the rest kept. */
function oneCharChanged(value: string, index = Math.floor(value.length / 2)): string {
  return `${value.slice(0, index)}${value[index] === 'A' ? 'B' : 'A'}${value.slice(index + 1)}`;
}

describe('attacks on browser sessions (CONTRACT §8)', () => {
  let g: SecurityGateway;

  beforeAll(async () => {
    g = await startSecurityGateway({ ...SESSION_ENVIRONMENT, CORS_ORIGINS: APP_ORIGIN });
  });
  afterAll(() => g.close());
  beforeEach(() => g.reset());
  afterEach(() => jest.restoreAllMocks());

  describe('session fixation', () => {
    it('never adopts an id planted in the browser before sign-in: the callback issues a new one and the planted id stays dead', async () => {
      const planted = 'P'.repeat(43);
      const jar = new CookieJar();
      jar.cookies.set('session', planted);
      const signedIn = await signIn(g, { jar });
      expect(signedIn.sessionId).not.toBe(planted);
      expect(signedIn.sessionId).toMatch(SESSION_ID);
      await g.http().get('/v1/me').set(cookieCall(planted)).expect(401);
      await g.http().get('/v1/me').set(sessionHeaders(signedIn.jar)).expect(200);
    });

    it("an attacker's own live session planted in the victim's browser ends at the victim's sign-in: the attacker never holds the victim's session", async () => {
      const attacker = await signIn(g, { email: 'bob@acme.test' });
      const victimJar = new CookieJar();
      victimJar.cookies.set('session', attacker.sessionId);
      const victim = await signIn(g, { jar: victimJar });
      expect(victim.sessionId).not.toBe(attacker.sessionId);
      // The attacker's copy of the planted id answers nothing, neither Bob's session nor Alice's.
      await g.http().get('/v1/me').set(cookieCall(attacker.sessionId)).expect(401);
      expect((await g.http().get('/v1/me').set(sessionHeaders(victim.jar)).expect(200)).body.id).toBe('user-alice');
    });

    it('ids are 256-bit random, base64url (43 characters), and differ across sign-ins', async () => {
      const ids: string[] = [];
      for (let index = 0; index < 8; index++) ids.push((await signIn(g)).sessionId);
      for (const id of ids) {
        expect(id).toMatch(SESSION_ID);
        expect(Buffer.from(id, 'base64url')).toHaveLength(32);
      }
      expect(new Set(ids).size).toBe(ids.length);
    });
  });

  describe('cross-site request forgery', () => {
    const patchName = (headers: Record<string, string>) => g.http().patch('/v1/me').set(headers).send({ name: 'Mallory was here' });

    it.each([
      ['no X-CSRF', {}],
      ['X-CSRF: 0', { 'x-csrf': '0' }],
      ['X-CSRF: true', { 'x-csrf': 'true' }],
      ['a foreign Origin', { 'x-csrf': '1', origin: 'https://evil.example' }],
      ['Origin: null', { 'x-csrf': '1', origin: 'null' }],
      ['a look-alike Origin', { 'x-csrf': '1', origin: 'http://gateway.test.evil.example' }],
      ['the own host on another scheme', { 'x-csrf': '1', origin: 'https://gateway.test' }],
    ])('a write with the cookie and %s is 403 csrf, and nothing reaches the identity API', async (_label, extra: Record<string, string>) => {
      const { jar } = await signIn(g);
      const answer = await patchName({ cookie: jar.header(), ...extra }).expect(403);
      expect(answer.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(answer.body.reason).toBe('csrf');
      expect(await g.upstreamWrites()).toEqual([]);
      expect((await g.http().get('/v1/me').set(sessionHeaders(jar)).expect(200)).body.name).not.toBe('Mallory was here');
    });

    it.each([
      ['application/x-www-form-urlencoded', 'name=Mallory'],
      ['application/x-www-form-urlencoded', ''],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nMallory\r\n--x--'],
      ['text/plain', '{"name":"Mallory"}'],
    ])('a simple request (%s, %j: what any site may send without a preflight) is refused before the session is used, and changes nothing', async (type, body) => {
      const { jar } = await signIn(g);
      const headers = { cookie: jar.header(), origin: 'https://evil.example', 'content-type': type };
      // JSON only: the body parser refuses these (415) before the CSRF check would (403).
      const logout = await g.http().post('/auth/logout').set(headers).send(body).expect(415);
      expect(logout.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(setCookiesOf(logout)).toEqual([]);
      await g.http().patch('/v1/me').set(headers).send(body).expect(415);
      await g.http().get('/auth/session').set(sessionHeaders(jar)).expect(200);
      expect(await g.upstreamWrites()).toEqual([]);
    });

    it('a bodiless cross-site POST to /auth/logout is 403 csrf, and the session lives on', async () => {
      const { jar } = await signIn(g);
      const logout = await g.http().post('/auth/logout').set({ cookie: jar.header(), origin: 'https://evil.example' }).expect(403);
      expect(logout.body.reason).toBe('csrf');
      expect(setCookiesOf(logout)).toEqual([]);
      await g.http().get('/auth/session').set(sessionHeaders(jar)).expect(200);
    });

    it('a cross-site GET (an <img> or <script> tag: no X-CSRF) is 403 csrf and reaches nothing upstream', async () => {
      const { jar } = await signIn(g);
      await g.upstream.clearRequests();
      const read = await g.http().get('/v1/me').set({ cookie: jar.header(), origin: 'https://evil.example' }).expect(403);
      expect(read.body.reason).toBe('csrf');
      expect(read.text).not.toContain('alice@acme.test');
      expect(await g.upstream.requests()).toEqual([]);
    });

    it('a write with the cookie, X-CSRF: 1 and the own origin or a CORS_ORIGINS origin goes through (the check is not a blanket refusal)', async () => {
      const { jar } = await signIn(g);
      await patchName({ ...sessionHeaders(jar), origin: 'http://gateway.test' }).expect(200);
      const fromApp = await patchName({ ...sessionHeaders(jar), origin: APP_ORIGIN }).expect(200);
      expect(fromApp.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
      expect(fromApp.headers['access-control-allow-credentials']).toBe('true');
      expect(await g.upstreamWrites()).toHaveLength(2);
    });

    const preflight = (origin: string) =>
      g.http().options('/v1/me').set({ origin, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'x-csrf, content-type' });

    it.each(['https://evil.example', 'null', 'http://gateway.test.evil.example'])('a CORS preflight from %s gets no allow headers (so a browser never sends X-CSRF cross-site)', async (origin) => {
      const answer = await preflight(origin);
      for (const header of ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-headers', 'access-control-allow-methods']) {
        expect({ header, value: answer.headers[header] }).toEqual({ header, value: undefined });
      }
    });

    it('a CORS preflight from a CORS_ORIGINS origin allows credentials and X-CSRF', async () => {
      const answer = await preflight(APP_ORIGIN);
      expect(answer.status).toBeLessThan(300);
      expect(answer.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
      expect(answer.headers['access-control-allow-credentials']).toBe('true');
      expect(answer.headers['access-control-allow-headers']).toMatch(/(^|,\s*)x-csrf(\s*,|$)/i);
      expect(answer.headers['access-control-allow-methods']).toMatch(/PATCH/);
    });
  });

  describe('stolen or forged cookies', () => {
    it('random ids are no session: 401, never another user', async () => {
      await signIn(g);
      for (let index = 0; index < 20; index++) {
        const id = Buffer.from(Array.from({ length: 32 }, () => Math.floor(Math.random() * 256))).toString('base64url');
        const answer = await g.http().get('/v1/me').set(cookieCall(id)).expect(401);
        expect(answer.headers['content-type']).toMatch(PROBLEM_JSON);
      }
    });

    it('a live id with one character changed is no session, and the live one is untouched', async () => {
      const { jar, sessionId } = await signIn(g);
      for (const index of [0, 21, 42]) await g.http().get('/v1/me').set(cookieCall(oneCharChanged(sessionId, index))).expect(401);
      await g.http().get('/v1/me').set(sessionHeaders(jar)).expect(200);
    });

    it.each([
      ['8 kB of base64url', () => 'A'.repeat(8192)],
      ['a live id with more after it', (id: string) => `${id}${id}`],
      ['a live id cut short', (id: string) => id.slice(0, 42)],
      ['the SHA-256 of a live id, as the store keys hold it (base64url, 43 characters)', (id: string) => hash('sha256', id, 'base64url')],
      ['the SHA-256 of a live id in hex', (id: string) => hash('sha256', id, 'hex')],
      ['the store key of a live id', (id: string) => storeKey(id)],
    ])('%s as the cookie is 401', async (_label, forge: (id: string) => string) => {
      const { jar, sessionId } = await signIn(g);
      await g.http().get('/v1/me').set(cookieCall(forge(sessionId))).expect(401);
      await g.http().get('/auth/session').set(cookieCall(forge(sessionId))).expect(401);
      await g.http().get('/v1/me').set(sessionHeaders(jar)).expect(200);
    });

    it('a live id under another cookie name is no credential (401 without it)', async () => {
      const { sessionId } = await signIn(g);
      for (const name of ['Session', 'session_', '__Host-session', 'sid', 'access_token']) {
        await g.http().get('/v1/me').set(cookieCall(sessionId, name)).expect(401);
      }
    });
  });

  describe('cookie and Bearer together', () => {
    it('are refused with 401 whatever the cookie holds, and the Bearer token alone still works', async () => {
      const { jar } = await signIn(g);
      const bearer = `Bearer ${await g.token()}`;
      for (const headers of [
        { ...sessionHeaders(jar), authorization: bearer },
        { cookie: jar.header(), authorization: bearer }, // no X-CSRF either: still 401, not 403
        { cookie: 'session=garbage', 'x-csrf': '1', authorization: bearer },
        { cookie: `session=${'A'.repeat(43)}`, authorization: bearer },
      ]) {
        const answer = await g.http().get('/v1/me').set(headers).expect(401);
        expect(answer.headers['www-authenticate']).toMatch(/^Bearer /);
      }
      await g.http().get('/v1/me').set({ authorization: bearer, cookie: 'theme=dark' }).expect(200);
    });

    // Issue 20, finding 3: only a Bearer header counted, so `Basic …` or an empty header went unnoticed.
    it.each([
      ['Basic credentials', 'Basic YWxpY2U6cGFzc3dvcmQ='],
      ['another scheme', 'Token abc'],
      ['a bare Bearer', 'Bearer'],
      ['an empty header', ''],
      ['blanks only', '   '],
    ])('the session cookie with an Authorization header of %s is 401, and nothing reaches the identity API', async (_label, authorization) => {
      const { jar } = await signIn(g);
      await g.http().get('/v1/me').set(sessionHeaders(jar)).expect(200);
      const before = (await g.upstream.requests({ path: /^\/identity\// })).length;
      const answer = await g.http().get('/v1/me').set({ ...sessionHeaders(jar), authorization }).expect(401);
      expect(answer.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer /);
      expect((await g.upstream.requests({ path: /^\/identity\// })).length).toBe(before);
    });

    it('cookies are never forwarded upstream: no recorded call to the identity provider carries one, or the session id', async () => {
      const { jar, sessionId } = await signIn(g);
      await g.http().get('/v1/me').set(sessionHeaders(jar)).expect(200);
      await g.http().patch('/v1/me').set({ ...sessionHeaders(jar), cookie: `${jar.header()}; theme=dark` }).send({ name: 'Alice Cookie' }).expect(200);
      await g.http().get('/v1/roles').set(sessionHeaders(jar)).expect(200);
      await g.http().post('/auth/logout').set(sessionHeaders(jar)).expect(200);
      const recorded = await g.upstream.requests();
      expect(recorded.filter((request) => request.path.startsWith('/identity/')).length).toBeGreaterThanOrEqual(3);
      expect(recorded.filter((request) => request.path === '/oauth/token').length).toBe(1);
      for (const request of recorded) {
        expect({ path: request.path, cookie: request.headers.cookie }).toEqual({ path: request.path, cookie: undefined });
        expect(JSON.stringify(request)).not.toContain(sessionId);
      }
    });
  });

  describe('cookie-authenticated answers and shared caches', () => {
    // A cache must not store an answer to a request with Authorization (RFC 9111 §3.5); a cookie has
    // no such protection: a CDN or proxy that keys by URL could hand Alice's profile to the next caller.
    it('every answer to a request with the session cookie says Cache-Control: no-store', async () => {
      const { jar } = await signIn(g);
      const answers = [
        await g.http().get('/v1/me').set(sessionHeaders(jar)).expect(200),
        await g.http().get('/v1/roles').set(sessionHeaders(jar)).expect(200),
        await g.http().patch('/v1/me').set(sessionHeaders(jar)).send({ name: 'Alice Cached' }).expect(200),
        await g.http().get('/auth/session').set(sessionHeaders(jar)).expect(200),
        await g.http().get('/v1/me').set({ cookie: jar.header() }).expect(403),
        await g.http().get('/v1/me').set(cookieCall('A'.repeat(43))).expect(401),
      ];
      for (const answer of answers) {
        const { method, url } = answer.request as unknown as { method: string; url: string };
        expect({ request: `${method} ${new URL(url).pathname} → ${answer.status}`, cacheControl: answer.headers['cache-control'] }).toEqual({
          request: `${method} ${new URL(url).pathname} → ${answer.status}`,
          cacheControl: 'no-store',
        });
      }
    });

    it('the ID token the browser receives in logoutUrl (id_token_hint) is no API credential', async () => {
      const { jar } = await signIn(g);
      const logout = await g.http().post('/auth/logout').set(sessionHeaders(jar)).expect(200);
      const idToken = new URL(logout.body.logoutUrl).searchParams.get('id_token_hint');
      expect(idToken).toMatch(/^eyJ/);
      await g.http().get('/v1/me').set('authorization', `Bearer ${idToken}`).expect(401);
    });
  });

  describe('open redirect after sign-in', () => {
    it.each([
      ['absolute', 'https://evil.example/'],
      ['scheme-relative', '//evil.example'],
      ['three slashes', '///evil.example'],
      ['backslash', '/\\evil.example'],
      ['backslashes only', '\\\\evil.example'],
      ['encoded // (decoded once by the query parser)', '%2F%2Fevil.example'],
      ['%2F%2F after the first slash', '/%2F%2Fevil.example'],
      ['encoded backslash', '/%5Cevil.example'],
      ['tab between the slashes', '/\t/evil.example'],
      ['newline between the slashes', '/\n/evil.example'],
      ['a header after CRLF', '/ok\r\nSet-Cookie: session=planted'],
      ['javascript:', 'javascript:alert(document.cookie)'],
      ['very long', `/${'a'.repeat(5000)}`],
      // Issue 20, finding 5: paths that a browser normalizes to //evil.test (another origin's path).
      ['a dot segment before //', '/.//evil.test'],
      ['a double-dot segment before //', '/..//evil.test'],
      ['encoded double dots before //', '/%2e%2e//evil.test'],
      ['encoded double dots, upper case', '/%2E%2E//evil.test'],
      ['a segment and its double dot before //', '/a/..//evil.test'],
      ['a double-encoded dot segment before //', '/%252e//evil.test'],
      // Issue 20, finding 4: outside printable ASCII (the callback then failed with a 500 on Location).
      ['a letter outside ASCII', '/café'],
      ['a line separator', '/a\u2028b'],
      ['a no-break space', '/a\u00a0b'],
      ['an emoji', '/\u{1F600}'],
    ])('returnTo %s is 400: no redirect, no login cookie, no sign-in started', async (_label, returnTo) => {
      const answer = await g.http().get(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`).expect(400);
      expect(answer.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(answer.headers.location).toBeUndefined();
      expect(setCookiesOf(answer)).toEqual([]);
      expect(await g.upstream.requests({ path: '/oauth/authorize' })).toEqual([]);
    });

    // Issue 20, finding 4: whatever a sign-in link carries, the callback answers its 302 or a problem 400, and stores nothing else.
    it.each([
      ['a letter outside ASCII', '/café'],
      ['a control character', '/a\u0007b'],
      ['a path that normalizes to //evil.test', '/..//evil.test'],
      ['an absolute URL', 'https://evil.example/'],
    ])('a sign-in whose stored returnTo is %s ends with a problem 400 at the callback: no session stored, no cookie, no redirect', async (_label, returnTo) => {
      const jar = new CookieJar();
      const login = await g.http().get('/auth/login').expect(302);
      jar.absorb(login.headers['set-cookie']);
      const state = new URL(login.headers.location).searchParams.get('state')!;
      // As a release before this check, or a tampered store, would have kept it.
      const store = g.app.get(SessionStore);
      const pending = (await store.takeLogin(state))!;
      await store.putLogin(state, { ...pending, returnTo }, 60_000);
      const created = jest.spyOn(store, 'create');
      const callbackUrl = new URL(await submitHostedForm(login.headers.location, ALICE.email, ALICE.password));
      const answer = await g.http().get(`${callbackUrl.pathname}${callbackUrl.search}`).set('cookie', jar.header());
      expect(answer.status).toBe(400);
      expect(answer.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(answer.headers.location).toBeUndefined();
      expect(setCookiesOf(answer).filter((line) => /^(__Host-)?session=[^;]/.test(line))).toEqual([]);
      expect(created).not.toHaveBeenCalled();
    });

    it('returnTo given twice is 400', async () => {
      await g.http().get('/auth/login?returnTo=/a&returnTo=//evil.example').expect(400);
    });

    it('a path on the own site is where the browser goes after sign-in', async () => {
      expect((await signIn(g, { returnTo: '/after?next=%2Fdashboard' })).location).toBe('/after?next=%2Fdashboard');
    });
  });

  describe('cookie attributes with an http PUBLIC_URL (local development)', () => {
    it('the session cookie is `session`, HttpOnly, SameSite=Lax, Path=/, no Secure and no Domain', async () => {
      const { setCookie, sessionId } = await signIn(g);
      expect(setCookie).toBe(`session=${sessionId}; Max-Age=43200; Path=/; HttpOnly; SameSite=Lax`);
    });
  });

  describe('replayed refresh token', () => {
    let r: SecurityGateway;
    beforeAll(async () => {
      r = await startSecurityGateway({ ...SESSION_ENVIRONMENT }, { oauthAccessTokenTtlSeconds: 120 });
    });
    afterAll(() => r.close());

    it('an old refresh token replayed after a refresh is refused, ends its whole sign-in, and the session answers 401 at its next refresh', async () => {
      const { jar, sessionId } = await signIn(r);
      const before = (await sessionOf(r, sessionId))!;
      expect(before.refreshToken).toBeDefined();

      advanceClock(100_000); // 20 s left of 120: the next request refreshes
      await r.http().get('/v1/me').set(sessionHeaders(jar)).expect(200);
      const after = (await sessionOf(r, sessionId))!;
      expect(after.accessToken).not.toBe(before.accessToken);
      expect(after.refreshToken).toBeDefined();
      expect(after.refreshToken).not.toBe(before.refreshToken);

      // The stolen, already-used refresh token, replayed at the provider.
      const replay = await fetch(`${r.emulator.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: before.refreshToken!, client_id: r.emulator.clientId }),
      });
      expect(replay.status).toBe(400);
      expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');

      // Reuse detection revoked the family, the gateway's current refresh token with it. Until its
      // access token needs refreshing the session goes on; at the refresh it ends.
      await r.http().get('/v1/me').set(sessionHeaders(jar)).expect(200);
      advanceClock(100_000); // 20 s left of the refreshed token's 120
      const ended = await r.http().get('/v1/me').set(sessionHeaders(jar)).expect(401);
      expect(ended.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(await sessionOf(r, sessionId)).toBeUndefined();
      await r.http().get('/auth/session').set(sessionHeaders(jar)).expect(401);
      const refreshes = await r.upstream.requests({ method: 'POST', path: '/oauth/token' });
      expect(refreshes).toHaveLength(4); // the code, the refresh, the replay, the refused refresh
    });
  });

  describe('cookie attributes with an https PUBLIC_URL', () => {
    let s: SecurityGateway;
    beforeAll(async () => {
      s = await startSecurityGateway({ ...SESSION_ENVIRONMENT, PUBLIC_URL: 'https://gateway.test' });
    });
    afterAll(() => s.close());

    it('the login and session cookies are __Host- prefixed, Secure, HttpOnly, SameSite=Lax, Path=/, with no Domain; logout clears it the same way', async () => {
      const login = await s.http().get('/auth/login').expect(302);
      const state = new URL(login.headers.location).searchParams.get('state');
      expect(setCookiesOf(login)).toEqual([`__Host-login=${state}; Max-Age=600; Path=/; HttpOnly; Secure; SameSite=Lax`]);
      const jar = new CookieJar().absorb(login.headers['set-cookie']);
      const signedIn = await completeSignIn(s, await submitHostedForm(login.headers.location, ALICE.email, ALICE.password), jar);
      expect(signedIn.cookieName).toBe('__Host-session');
      expect(signedIn.setCookie).toBe(`__Host-session=${signedIn.sessionId}; Max-Age=43200; Path=/; HttpOnly; Secure; SameSite=Lax`);
      for (const line of [...setCookiesOf(login), signedIn.setCookie]) expect(line).not.toMatch(/domain=/i);

      await s.http().get('/v1/me').set(sessionHeaders(signedIn.jar)).expect(200);
      // Without the prefix, the same id is no credential: a cookie a subdomain or a plain-http page could set is not read.
      await s.http().get('/v1/me').set(cookieCall(signedIn.sessionId)).expect(401);

      const logout = await s.http().post('/auth/logout').set(sessionHeaders(signedIn.jar)).expect(200);
      expect(setCookiesOf(logout)).toEqual(['__Host-session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax']);
    });
  });

  describe('logs of a whole sign-in, refresh and logout', () => {
    let l: SecurityGateway;
    const written: string[] = [];
    const secrets = new Map<string, string>();
    const logText = () => written.join('');

    beforeAll(async () => {
      // pino writes to process.stdout when it finds write replaced at start: every line comes here.
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      });
      l = await startSecurityGateway({ ...SESSION_ENVIRONMENT, LOG_LEVEL: 'trace' }, { oauthAccessTokenTtlSeconds: 120 });
      const keep = (label: string, value: string | undefined) => {
        expect({ label, value }).toEqual({ label, value: expect.any(String) });
        secrets.set(label, value!);
      };
      const keepTokens = (label: string, session: SessionRecord) => {
        for (const [name, token] of [['access', session.accessToken], ['refresh', session.refreshToken], ['id', session.idToken]] as const) {
          keep(`${label} ${name} token`, token);
          if (token!.split('.').length === 3) keep(`${label} ${name} token signature`, token!.split('.')[2]);
        }
      };

      const login = await l.http().get('/auth/login?returnTo=/settings').expect(302);
      const jar = new CookieJar().absorb(login.headers['set-cookie']);
      keep('state', new URL(login.headers.location).searchParams.get('state') ?? undefined);
      keep('login cookie', jar.get('login'));
      const callbackUrl = await submitHostedForm(login.headers.location, ALICE.email, ALICE.password);
      keep('code', new URL(callbackUrl).searchParams.get('code') ?? undefined);
      const { sessionId } = await completeSignIn(l, callbackUrl, jar);
      keep('session id', sessionId);
      keep('session store key', storeKey(sessionId));
      keepTokens('first', (await sessionOf(l, sessionId))!);

      await l.http().get('/v1/me').set(sessionHeaders(jar)).expect(200);
      await l.http().patch('/v1/me').set(sessionHeaders(jar)).send({ name: 'Alice Logged' }).expect(200);
      await l.http().get('/auth/session').set(sessionHeaders(jar)).expect(200);

      advanceClock(100_000); // the next request refreshes
      await l.http().get('/v1/me').set(sessionHeaders(jar)).expect(200);
      jest.spyOn(Date, 'now').mockRestore(); // only the clock: the log capture stays
      keepTokens('refreshed', (await sessionOf(l, sessionId))!);
      expect(secrets.get('refreshed refresh token')).not.toBe(secrets.get('first refresh token'));

      // Refusals, each with the cookie in the request.
      await l.http().get('/v1/me').set({ cookie: jar.header() }).expect(403);
      await l.http().get('/v1/me').set({ ...sessionHeaders(jar), origin: 'https://evil.example' }).expect(403);
      const forged = oneCharChanged(sessionId);
      keep('forged id', forged);
      await l.http().get('/v1/me').set(cookieCall(forged)).expect(401);
      await l.http().get('/v1/me').set({ ...sessionHeaders(jar), authorization: `Bearer ${secrets.get('refreshed access token')}` }).expect(401);
      const callback = new URL(callbackUrl);
      await l.http().get(`${callback.pathname}${callback.search}`).set('cookie', `login=${secrets.get('login cookie')}`).expect(400);

      const logout = await l.http().post('/auth/logout').set(sessionHeaders(jar)).expect(200);
      keep('id_token_hint', new URL(logout.body.logoutUrl).searchParams.get('id_token_hint') ?? undefined);
      await l.http().get('/v1/me').set(sessionHeaders(jar)).expect(401);
    });
    afterAll(() => l.close());

    it('the scenario ran and was logged (the capture works)', () => {
      const text = logText();
      for (const message of ['session started', 'session ended by logout', '/auth/callback?[redacted]', '"statusCode":401', '"statusCode":403']) {
        expect({ message, logged: text.includes(message) }).toEqual({ message, logged: true });
      }
      expect(secrets.size).toBeGreaterThan(15);
    });

    it('every log line is one JSON object', () => {
      const lines = logText().split('\n').filter((line) => line.trim() !== '');
      expect(lines.length).toBeGreaterThan(20);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    });

    it('no token, cookie value, session id, store key, sign-in state or code is in the log', () => {
      const text = logText();
      for (const [label, secret] of secrets) expect({ label, logged: text.includes(secret) }).toEqual({ label, logged: false });
      expect(text).not.toMatch(JWT_IN_CLEAR); // no JWT at all
    });
  });

  describe('sessions in Redis', () => {
    let database: ClaimedRedisDatabase;
    let s: SecurityGateway;
    let redis: Redis;

    beforeAll(async () => {
      database = await claimRedisDatabase();
      redis = database.redis;
      s = await startSecurityGateway({ ...SESSION_ENVIRONMENT, REDIS_URL: database.url });
    });
    afterAll(async () => {
      await s?.close();
      await database?.release();
    });

    const signedInHere = async (email?: string) => {
      const signedIn = await signIn(s, { email });
      expect(await redis.exists(storeKey(signedIn.sessionId))).toBe(1);
      return signedIn;
    };
    const flipped = (sealed: string, segment: number) => {
      const parts = sealed.split('.');
      parts[segment] = oneCharChanged(parts[segment]);
      return parts.join('.');
    };

    it.each([
      ['its protected header', (sealed: string) => flipped(sealed, 0)],
      ['its iv', (sealed: string) => flipped(sealed, 2)],
      ['its ciphertext', (sealed: string) => flipped(sealed, 3)],
      ['its tag', (sealed: string) => flipped(sealed, 4)],
      ['a value that is no JWE', () => '{"userId":"user-alice","tenantId":"tenant-acme"}'],
    ])('a session whose stored value was tampered with (%s) is 401, not 500', async (_label, tamper) => {
      const { jar, sessionId } = await signedInHere();
      const key = storeKey(sessionId);
      const sealed = (await redis.get(key))!;
      expect(await redis.set(key, tamper(sealed), 'KEEPTTL', 'XX')).toBe('OK');
      const answer = await s.http().get('/v1/me').set(sessionHeaders(jar)).expect(401);
      expect(answer.headers['content-type']).toMatch(PROBLEM_JSON);
      await s.http().get('/auth/session').set(sessionHeaders(jar)).expect(401);
      await s.http().post('/auth/logout').set(sessionHeaders(jar)).expect(200);
    });

    it("another user's sealed session copied under one's own key does not open (each value is sealed by its own id)", async () => {
      const bob = await signedInHere('bob@acme.test');
      const mallory = await signedInHere();
      await redis.set(storeKey(mallory.sessionId), (await redis.get(storeKey(bob.sessionId)))!, 'KEEPTTL', 'XX');
      await s.http().get('/v1/me').set(sessionHeaders(mallory.jar)).expect(401);
      expect((await s.http().get('/v1/me').set(sessionHeaders(bob.jar)).expect(200)).body.id).toBe('user-bob');
    });

    it('Redis holds no token and no session id in clear, in keys or values, nor the state of a sign-in in progress', async () => {
      const { sessionId } = await signedInHere();
      const record = (await sessionOf(s, sessionId))!;
      const pending = await s.http().get('/auth/login').expect(302);
      const state = new URL(pending.headers.location).searchParams.get('state')!;
      const keys = [...(await redis.keys('gateway:session:*')), ...(await redis.keys('gateway:login:*'))];
      expect(keys).toContain(storeKey(sessionId));
      expect(keys).toContain(`gateway:login:${hash('sha256', state, 'base64url')}`);
      const secrets = [sessionId, state, record.accessToken, record.refreshToken!, record.idToken!, record.accessToken.split('.')[2]];
      for (const key of keys) {
        for (const secret of secrets) expect(key).not.toContain(secret);
        const value = (await redis.type(key)) === 'string' ? ((await redis.get(key)) ?? '') : '';
        expect({ key, clearToken: holdsJwtInClear(value) }).toEqual({ key, clearToken: false });
        for (const secret of secrets) expect({ key, holds: value.includes(secret) }).toEqual({ key, holds: false });
      }
    });
  });
});
