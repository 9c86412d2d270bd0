import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { startExampleSite, type ExampleSite, type ExampleSiteExchange } from '../examples/browser-session/server';
import { SessionStore, type SessionRecord } from '../src/sessions/session-store';
import { launchChromium } from './support/chromium';
import { signInThroughExamplePage } from './support/example-page';
import { JWT_IN_CLEAR } from './support/jwt-in-clear';
import { startTestGateway, type TestGateway } from './support/gateway';
import { assertConforms, registerGatewayOrigin } from './support/openapi-conformance';
import { freePort } from './support/processes';
import { ALICE } from './support/sessions';

/**
 * Issue 13, "tested as a user would": the example page (examples/browser-session) in Debian's
 * headless Chromium. One site: the page and the gateway share the origin http://localhost:P (the
 * example's front door serves the page and forwards /auth and /v1 to the listening gateway, which
 * has PUBLIC_URL=http://localhost:P). The hosted login is the in-process emulator's form.
 * Pages elsewhere: http://127.0.0.1:Q is another site; http://localhost:R is another origin on
 * the same site (the browser sends it the cookie), and not one of CORS_ORIGINS.
 */

const SESSION_COOKIE = 'session';
/** Every body a cross-site HTML form can post (HTML, "form submission"). */
const FORM_ENCODINGS = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'] as const;
/** What the front door forwards to the gateway. */
const GATEWAY_PATHS = /^\/(auth|v1)\//;

/** Everything the page's own JavaScript can read that might hold a token (a script run in the page, so in JavaScript). */
const REACHABLE_FROM_PAGE = `(async () => {
  const session = await fetch('/auth/session', { credentials: 'include', headers: { 'X-CSRF': '1' } });
  const storage = (store) => Object.fromEntries(Array.from({ length: store.length }, (_, index) => [store.key(index), store.getItem(store.key(index))]));
  return {
    cookie: document.cookie,
    localStorage: storage(localStorage),
    sessionStorage: storage(sessionStorage),
    session: { status: session.status, text: await session.text() },
    html: document.documentElement.outerHTML,
    globals: Object.keys(window).filter((name) => /token|jwt|auth/i.test(name)),
  };
})()`;

interface Reachable {
  cookie: string;
  localStorage: Record<string, string>;
  sessionStorage: Record<string, string>;
  session: { status: number; text: string };
  html: string;
  globals: string[];
}

/** What the page received: every answer that had a body, as the browser got it. */
interface Received {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The request's headers as the browser sent them. */
  sent: Record<string, string>;
}

describe('the browser-session example page in headless Chromium (issue 13)', () => {
  let browser: Browser;
  let gateway: TestGateway;
  let site: ExampleSite;
  let siteUrl: string;
  let otherSite: Server;
  let otherSiteUrl: string;
  let siblingOrigin: Server;
  let siblingOriginUrl: string;
  /** What the site's front door forwarded to the gateway, in order (its own files, a favicon, left out). */
  let exchanges: ExampleSiteExchange[];

  beforeAll(async () => {
    browser = await launchChromium();
    const sitePort = await freePort();
    siteUrl = `http://localhost:${sitePort}`;
    // CORS is on, for another origin than the sibling page's: that one is refused by the list, not by CORS being off.
    // Plans on too (CONTRACT §4.5): the page shows what the user's plan includes.
    gateway = await startTestGateway({ SESSIONS: 'on', PUBLIC_URL: siteUrl, CORS_ORIGINS: 'http://localhost:1', ENTITLEMENTS: 'on' });
    await gateway.app.listen(0, '127.0.0.1');
    const gatewayUrl = `http://127.0.0.1:${(gateway.app.getHttpServer().address() as AddressInfo).port}`;
    registerGatewayOrigin(gatewayUrl);
    site = await startExampleSite({ gatewayUrl, port: sitePort, onExchange: (exchange) => GATEWAY_PATHS.test(exchange.path) && exchanges.push(exchange) });
    [otherSite, otherSiteUrl] = await servePage((origin) => attackerPage(origin, siteUrl), '127.0.0.1');
    [siblingOrigin, siblingOriginUrl] = await servePage((origin) => attackerPage(origin, siteUrl), 'localhost');
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    otherSite?.closeAllConnections();
    otherSite?.close();
    siblingOrigin?.closeAllConnections();
    siblingOrigin?.close();
    await gateway?.close();
  });

  let context: BrowserContext;
  beforeEach(async () => {
    exchanges = [];
    await gateway.reset();
    context = await browser.newContext();
  });
  afterEach(() => context.close());

  it('signs alice in through the hosted form and back to the page, which calls GET and PATCH /v1/me with the cookie only', async () => {
    const page = await context.newPage();
    const received = watchAnswers(page);
    const record = await signInOnPage(page);

    await waitForCall(page, 'GET /v1/me → 200'); // the page loads her profile once signed in
    expect(await answerShown<{ email: string }>(page)).toMatchObject({ email: ALICE.email });
    await page.locator('#name').fill('Alice in the browser');
    await page.locator('#update-me button[type=submit]').click();
    await waitForCall(page, 'PATCH /v1/me → 200');
    expect(await answerShown<{ name: string }>(page)).toMatchObject({ email: ALICE.email, name: 'Alice in the browser' });
    // The change reached the identity provider, with the gateway's own credentials: the cookie never goes upstream.
    const update = (await gateway.upstream.requests()).find((request) => request.method === 'PUT' || request.method === 'PATCH');
    expect(update?.body).toMatchObject({ name: 'Alice in the browser' });
    expect(update?.headers).not.toHaveProperty('cookie');
    await page.locator('#load-me').click();
    await waitForCall(page, 'GET /v1/me → 200');
    expect(await answerShown<{ name: string }>(page)).toMatchObject({ name: 'Alice in the browser' });

    // Every gateway call the page made carried the session cookie and X-CSRF, never an Authorization header.
    const calls = (await received()).filter((answer) => /\/(v1|auth)\//.test(answer.url));
    expect(calls.map((answer) => `${answer.method} ${new URL(answer.url).pathname} ${answer.status}`)).toEqual(
      expect.arrayContaining(['GET /auth/session 200', 'GET /v1/me 200', 'PATCH /v1/me 200']),
    );
    for (const answer of calls) {
      assertConforms(answer);
      expect(answer.sent).not.toHaveProperty('authorization');
    }
    const signedIn = exchanges.findIndex((exchange) => exchange.path.startsWith('/auth/callback'));
    const sent = exchanges.slice(signedIn).filter((exchange) => /^\/(v1|auth\/session)/.test(exchange.path));
    expect(sent.length).toBeGreaterThanOrEqual(4);
    for (const exchange of sent) expect(exchange.cookies).toEqual([SESSION_COOKIE]);
    expect(record.userId).toBe('user-alice');
  }, 60_000);

  it("shows only the features the signed-in user's plan includes, from GET /v1/me/entitlements (CONTRACT §4.5)", async () => {
    const shownFeatures = async (page: Page) => {
      await page.locator('#plan-status', { hasText: 'Features your plan includes:' }).waitFor();
      return page.locator('#plan li[data-feature]:not([hidden])').evaluateAll((items) => items.map((item) => item.getAttribute('data-feature')));
    };
    const page = await context.newPage();
    const received = watchAnswers(page);
    await signInOnPage(page);
    // tenant-acme is on Business; the audit add-on is Grace's alone, the beta flag is for @globex.test.
    expect(await shownFeatures(page)).toEqual(['reports', 'custom-roles', 'sso']);
    const [asked] = (await received()).filter((answer) => new URL(answer.url).pathname === '/v1/me/entitlements');
    assertConforms(asked);
    expect(asked.sent).not.toHaveProperty('authorization');

    // Dave, of tenant-globex: Starter, an expired Business trial, and the beta flag's rule matches his email.
    // A browser of his own (signInOnPage reads the session cookie of `context`); afterEach closes it.
    await context.close();
    context = await browser.newContext();
    const davePage = await context.newPage();
    await signInOnPage(davePage, { email: 'dave@globex.test', password: ALICE.password });
    expect(await shownFeatures(davePage)).toEqual(['reports', 'beta-dashboard']);
    expect(await davePage.locator('#plan li[data-feature="custom-roles"]').isHidden()).toBe(true);
  }, 60_000);

  it('leaves no token where page JavaScript can reach it: not in document.cookie, storage, /auth/session or any answer', async () => {
    const page = await context.newPage();
    const received = watchAnswers(page);
    const record = await signInOnPage(page);
    await waitForCall(page, 'GET /v1/me → 200');

    // The session cookie exists (the test reads the browser's jar), and it is HttpOnly: no script sees it.
    const [cookie] = (await context.cookies(siteUrl)).filter((candidate) => candidate.name === SESSION_COOKIE);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', domain: 'localhost' });

    const reachable = (await page.evaluate(REACHABLE_FROM_PAGE)) as Reachable;
    expect(reachable.cookie).toBe('');
    expect(reachable.session.text).not.toContain('eyJ'); // not even a part of a JWT
    expect(reachable.localStorage).toEqual({});
    expect(reachable.sessionStorage).toEqual({});
    expect(reachable.globals).toEqual([]);
    expect(reachable.session.status).toBe(200);
    expect(JSON.parse(reachable.session.text)).toEqual({ userId: 'user-alice', tenantId: 'tenant-acme', email: ALICE.email, name: expect.any(String), expiresAt: expect.any(String) });

    // The tokens the gateway holds for this session, which the page must never have seen.
    const secrets = [record.accessToken, record.refreshToken, record.idToken].filter((secret): secret is string => typeof secret === 'string');
    expect(record.accessToken).toMatch(JWT_IN_CLEAR);
    const seen = [reachable.cookie, reachable.session.text, reachable.html, ...(await received()).map((answer) => `${JSON.stringify(answer.headers)}\n${answer.text}`)];
    for (const text of seen) {
      expect(text).not.toMatch(JWT_IN_CLEAR);
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  }, 60_000);

  it('signs out: the session ends on the gateway, the provider sends the browser back to the page, and the next call is 401', async () => {
    const page = await context.newPage();
    const record = await signInOnPage(page);
    const sessionId = await sessionCookie(context, siteUrl);
    await waitForCall(page, 'GET /v1/me → 200');

    const logout = page.waitForResponse((answer) => answer.url() === `${siteUrl}/auth/logout`);
    // The page then goes where the logout answer said (its body is gone once the page has left: the request tells it),
    // and the provider's end-session endpoint sends it back to the page, which loads again and finds no session.
    const backOnPage = page.waitForResponse((answer) => answer.url() === `${siteUrl}/` && answer.request().isNavigationRequest());
    await page.locator('#sign-out').click();
    expect((await logout).status()).toBe(200);
    const endSession = (await backOnPage).request().redirectedFrom();
    if (!endSession) throw new Error('the page did not come back from the provider: it was not redirected to it');
    const logoutUrl = new URL(endSession.url());
    expect(`${logoutUrl.origin}${logoutUrl.pathname}`).toBe(`${gateway.emulator.url}/oauth/logout`);
    expect(logoutUrl.searchParams.get('post_logout_redirect_uri')).toBe(`${siteUrl}/`);
    await page.locator('#status', { hasText: 'Signed out.' }).waitFor();

    expect(await context.cookies(siteUrl)).toEqual([]);
    expect(await gateway.app.get(SessionStore).peek(sessionId)).toBeUndefined();
    expect(await callFromPage(page, '/v1/me')).toBe(401);
    expect(await callFromPage(page, '/auth/session')).toBe(401);

    // The end-session URL names the user with her ID token (OpenID Connect RP-Initiated Logout): it is
    // not an access token, and the gateway does not take it as one.
    const hint = logoutUrl.searchParams.get('id_token_hint');
    expect(hint).toBe(record.idToken);
    expect(hint).not.toBe(record.accessToken);
    const asBearer = await gateway.http().get('/v1/me').set('authorization', `Bearer ${hint}`);
    expect(asBearer.status).toBe(401);
  }, 60_000);

  describe('a page on another site', () => {
    it('cannot call with the cookie: a simple request goes without it, one with X-CSRF is stopped at the preflight', async () => {
      const page = await context.newPage();
      await signInOnPage(page);
      const attacker = await context.newPage();
      await attacker.goto(`${otherSiteUrl}/`);
      exchanges = [];

      // Simple GET: the browser sends it without the SameSite=Lax cookie (401), and the page cannot read the answer.
      expect(await crossOriginCall(attacker, `${siteUrl}/v1/me`, {})).toBe('rejected');
      // With X-CSRF: the preflight gets no CORS approval, so the call itself is never sent.
      expect(await crossOriginCall(attacker, `${siteUrl}/v1/me`, { 'X-CSRF': '1' })).toBe('rejected');
      expect(await crossOriginCall(attacker, `${siteUrl}/v1/me`, { 'X-CSRF': '1', 'Content-Type': 'application/json' }, 'PATCH')).toBe('rejected');

      expect(exchanges.map(({ method, path, cookies, origin, status }) => ({ method, path, cookies, origin, status }))).toEqual([
        { method: 'GET', path: '/v1/me', cookies: [], origin: otherSiteUrl, status: 401 },
        { method: 'OPTIONS', path: '/v1/me', cookies: [], origin: otherSiteUrl, status: expect.any(Number) },
        { method: 'OPTIONS', path: '/v1/me', cookies: [], origin: otherSiteUrl, status: expect.any(Number) },
      ]);
      // Alice is still signed in on the site.
      expect(await callFromPage(page, '/v1/me')).toBe(200);
    }, 60_000);

    it.each(FORM_ENCODINGS)('cannot sign the user out with a form posted to /auth/logout (%s)', async (encoding) => {
      const page = await context.newPage();
      await signInOnPage(page);
      const sessionId = await sessionCookie(context, siteUrl);
      const attacker = await context.newPage();
      await attacker.goto(`${otherSiteUrl}/`);
      exchanges = [];

      const posted = attacker.waitForResponse(`${siteUrl}/auth/logout`);
      await attacker.locator(`form[enctype="${encoding}"] button`).click();
      await posted;
      expect(exchanges).toEqual([expect.objectContaining({ method: 'POST', path: '/auth/logout', cookies: [], origin: otherSiteUrl })]);

      // The session lives on, on the gateway and in the browser.
      expect(await gateway.app.get(SessionStore).peek(sessionId)).toBeDefined();
      expect(await sessionCookie(context, siteUrl)).toBe(sessionId);
      expect(await callFromPage(page, '/v1/me')).toBe(200);
    }, 60_000);
  });

  describe('a page on another origin of the same site (not in CORS_ORIGINS)', () => {
    it('gets 403 csrf without X-CSRF although the browser sends the cookie, and is stopped at the preflight with it', async () => {
      const page = await context.newPage();
      await signInOnPage(page);
      const sibling = await context.newPage();
      await sibling.goto(`${siblingOriginUrl}/`);
      exchanges = [];

      expect(await crossOriginCall(sibling, `${siteUrl}/v1/me`, {})).toBe('rejected');
      expect(await crossOriginCall(sibling, `${siteUrl}/v1/me`, { 'X-CSRF': '1' })).toBe('rejected');
      expect(exchanges.map(({ method, path, cookies, origin, status }) => ({ method, path, cookies, origin, status }))).toEqual([
        { method: 'GET', path: '/v1/me', cookies: [SESSION_COOKIE], origin: siblingOriginUrl, status: 403 },
        { method: 'OPTIONS', path: '/v1/me', cookies: [], origin: siblingOriginUrl, status: expect.any(Number) },
      ]);
      expect(await callFromPage(page, '/v1/me')).toBe(200);
    }, 60_000);
  });

  it.each(['https://evil.example', '//evil.example'])('keeps the browser on the site for /auth/login?returnTo=%s: 400, no redirect', async (returnTo) => {
    const page = await context.newPage();
    const answer = await page.goto(`${siteUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
    expect(answer?.status()).toBe(400);
    expect(new URL(page.url()).origin).toBe(siteUrl);
    expect(exchanges.map((exchange) => `${exchange.method} ${exchange.status}`)).toEqual(['GET 400']);
    expect(await context.cookies()).toEqual([]);
  }, 30_000);

  /** Opens the page signed out, follows its sign-in link through the hosted form, and waits until it shows alice. Answers her session as the gateway holds it. */
  async function signInOnPage(page: Page, user: { email: string; password: string } = ALICE): Promise<SessionRecord> {
    await signInThroughExamplePage(page, siteUrl, gateway.emulator.url, user);
    const record = await gateway.app.get(SessionStore).peek(await sessionCookie(context, siteUrl));
    if (!record) throw new Error('the gateway holds no session for the cookie the browser got');
    return record;
  }
});

async function sessionCookie(context: BrowserContext, url: string): Promise<string> {
  const cookie = (await context.cookies(url)).find((candidate) => candidate.name === SESSION_COOKIE);
  if (!cookie) throw new Error('the browser holds no session cookie');
  return cookie.value;
}

async function waitForCall(page: Page, call: string): Promise<void> {
  await page.locator('#last-call', { hasText: call }).waitFor();
}

async function answerShown<T>(page: Page): Promise<T> {
  return JSON.parse(await page.locator('#last-answer').innerText()) as T;
}

/** A same-origin call from the page's JavaScript, as the example makes them: its status. */
function callFromPage(page: Page, path: string): Promise<number> {
  return page.evaluate(async (target) => (await fetch(target, { credentials: 'include', headers: { 'X-CSRF': '1' } })).status, path);
}

/** A credentialed cross-origin fetch from the page: its status when the page may read it, else 'rejected'. */
function crossOriginCall(page: Page, url: string, headers: Record<string, string>, method = 'GET'): Promise<number | 'rejected'> {
  return page.evaluate(
    async ({ url, headers, method }) => {
      try {
        return (await fetch(url, { method, headers, credentials: 'include', body: method === 'GET' ? undefined : '{}' })).status;
      } catch {
        return 'rejected' as const;
      }
    },
    { url, headers, method },
  );
}

/** Every answer the page receives with a body (redirects have none), collected until asked for. */
function watchAnswers(page: Page): () => Promise<Received[]> {
  const pending: Promise<Received | undefined>[] = [];
  page.on('response', (answer) => {
    if (answer.status() >= 300 && answer.status() < 400) return;
    pending.push(asReceived(answer).catch(() => undefined));
  });
  return async () => (await Promise.all(pending)).filter((answer): answer is Received => answer !== undefined);
}

async function asReceived(answer: Response): Promise<Received> {
  const request = answer.request();
  return { method: request.method(), url: answer.url(), status: answer.status(), headers: await answer.allHeaders(), text: await answer.text(), sent: await request.allHeaders() };
}

/** A page on another origin: what an attacker's page can do with the site (a form that posts to its logout). */
function attackerPage(origin: string, siteUrl: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${origin}</title></head><body>
${FORM_ENCODINGS.map((encoding) => `<form method="post" action="${siteUrl}/auth/logout" enctype="${encoding}"><input type="hidden" name="x" value="1"><button type="submit">Win a prize</button></form>`).join('\n')}
</body></html>`;
}

/** Serves one HTML page at / on host (`localhost` is named so, but listens on 127.0.0.1), answering its URL. */
async function servePage(html: (origin: string) => string, host: 'localhost' | '127.0.0.1'): Promise<[Server, string]> {
  let origin = '';
  const server = createServer((_, response) => response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html(origin)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  return [server, origin];
}
