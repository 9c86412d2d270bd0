import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/chromium';
import { assertConforms } from './support/openapi-conformance';
import { startTestGateway, type TestGateway } from './support/gateway';
import { cleanEnvironment, freePort, runBuiltGateway, type RunningProcess } from './support/processes';

/**
 * Issue 12 item 4: in local mode, the docs page signs a seeded user in without leaving the page
 * (the emulator's OAuth 2.0 password flow), driven in Debian's headless Chromium; outside local
 * mode the docs offer no such flow.
 */
const OUTPUT_DIR = join(__dirname, '..', 'test-output', 'docs-sign-in');
const SCREENSHOT = join(OUTPUT_DIR, 'get-v1-me-200.png');

interface Document {
  components: { securitySchemes: Record<string, { type: string; flows?: { password?: { tokenUrl: string; scopes: object } } }> };
  paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
}

function operations(document: Document) {
  return Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ name: `${method} ${path}`, ...operation })));
}

describe('docs page sign-in in local mode', () => {
  let gateway: RunningProcess;
  let gatewayUrl: string;
  let emulatorUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    const port = await freePort();
    const emulatorPort = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
    // The built gateway with no FRONTEGG_CLIENT_ID: local mode, the emulator in-process (main.ts).
    gateway = runBuiltGateway(cleanEnvironment({ PORT: String(port), HOST: '127.0.0.1', EMULATOR_PORT: String(emulatorPort), LOG_LEVEL: 'warn' }));
    await gateway.waitFor(`API docs: ${gatewayUrl}/docs`);
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    gateway?.child.kill('SIGTERM');
    await gateway?.exited;
  });

  it("declares the emulator's password flow as an alternative to the bearer token on every protected operation", async () => {
    const document = (await (await fetch(`${gatewayUrl}/docs-json`)).json()) as Document;
    expect(document.components.securitySchemes.localSignIn).toMatchObject({
      type: 'oauth2',
      flows: { password: { tokenUrl: `${emulatorUrl}/_emulator/oauth/token`, scopes: {} } },
    });
    const protectedOperations = operations(document).filter((operation) => operation.security?.some((requirement) => 'bearer' in requirement));
    expect(protectedOperations.length).toBeGreaterThan(10);
    // Local mode has browser sessions on: the session cookie with X-CSRF is the other alternative.
    for (const operation of protectedOperations) expect(operation.security).toEqual([{ bearer: [] }, { sessionCookie: [], csrfHeader: [] }, { localSignIn: [] }]);

    // Swagger UI may call the emulator (and only it besides the gateway); the API's CSP stays closed.
    const docs = await fetch(`${gatewayUrl}/docs/`);
    expect(docs.headers.get('content-security-policy')).toContain(`connect-src 'self' ${emulatorUrl};`);
    expect((await fetch(`${gatewayUrl}/health/live`)).headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
  });

  it('signs alice in on /docs, runs GET /v1/me with her token and shows 200', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    rmSync(OUTPUT_DIR, { recursive: true, force: true });
    mkdirSync(OUTPUT_DIR, { recursive: true });
    try {
      const sent = watchMe(page, gatewayUrl);
      await page.goto(`${gatewayUrl}/docs`);

      // Authorize → the localSignIn (OAuth2, password) form: the emulator's client id is filled in.
      await page.locator('.auth-wrapper .btn.authorize').click();
      const signIn = page.locator('.auth-container', { hasText: 'localSignIn' });
      await expect(signIn.locator('#client_id_password').inputValue()).resolves.toBe('emulator-client-id');
      await signIn.locator('#oauth_username').fill('alice@acme.test');
      await signIn.locator('#oauth_password').fill('frontegg-dev-password');
      await signIn.locator('.auth-btn-wrapper .btn.authorize').click();
      // Signed in, or the page's error (a refused call to the emulator: CORS, CSP) told as the failure.
      await signIn.locator('h6:text-is("Authorized"), .errors').first().waitFor();
      if (await signIn.locator('.errors').isVisible()) throw new Error(`sign-in failed on the page: ${await signIn.locator('.errors').innerText()}`);
      await page.locator('.dialog-ux .btn-done').first().click();

      // GET /v1/me → Try it out → Execute → 200 in the live response.
      const me = page.locator('.opblock.opblock-get', { has: page.locator('.opblock-summary-path[data-path="/v1/me"]') });
      await me.locator('.opblock-summary').first().click();
      await me.locator('.try-out__btn').click();
      await me.locator('.btn.execute').click();
      const status = me.locator('.live-responses-table .response .response-col_status');
      await status.waitFor();
      expect((await status.innerText()).trim()).toBe('200');
      expect(await me.locator('.live-responses-table .response .response-col_description').innerText()).toContain('"email": "alice@acme.test"');

      // The page sent alice's token, from the emulator's sign-in, and got a documented answer.
      const request = await sent;
      expect(decodeJwt(request.token)).toMatchObject({ sub: 'user-alice', tenantId: 'tenant-acme', iss: emulatorUrl });
      assertConforms(request.answer);

      // From the GET /v1/me summary to the live response: the curl with alice's bearer token, the 200 and her profile.
      await page.evaluate('window.scrollTo(0, 0)'); // bounding boxes are then page coordinates
      const top = await me.locator('.opblock-summary').first().boundingBox();
      const bottom = await me.locator('.live-responses-table').boundingBox();
      if (!top || !bottom) throw new Error('GET /v1/me is not on screen');
      await page.screenshot({ path: SCREENSHOT, fullPage: true, clip: { x: top.x, y: top.y, width: top.width, height: bottom.y + bottom.height - top.y } });
    } catch (error) {
      // What the page showed when it went wrong.
      await page.screenshot({ path: join(OUTPUT_DIR, 'failure.png'), fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await page.close();
    }
  }, 60_000);

  it("shows the emulator's invalid_grant on the page for a wrong password, and stays signed out", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${gatewayUrl}/docs`);
      await page.locator('.auth-wrapper .btn.authorize').click();
      const signIn = page.locator('.auth-container', { hasText: 'localSignIn' });
      await signIn.locator('#oauth_username').fill('alice@acme.test');
      await signIn.locator('#oauth_password').fill('not-her-password');
      await signIn.locator('.auth-btn-wrapper .btn.authorize').click();
      const error = signIn.locator('.errors');
      await error.waitFor();
      expect(await error.innerText()).toMatch(/invalid_grant.*Incorrect email or password/s);
      expect(await signIn.locator('h6', { hasText: 'Authorized' }).count()).toBe(0);
    } finally {
      await page.close();
    }
  }, 30_000);
});

/** The first GET /v1/me the page sends: the bearer token it carried and the answer it got. */
function watchMe(page: Page, gatewayUrl: string) {
  return new Promise<{ token: string; answer: Parameters<typeof assertConforms>[0] }>((resolve, reject) => {
    page.on('response', (response) => {
      const request = response.request();
      if (request.method() !== 'GET' || request.url() !== `${gatewayUrl}/v1/me`) return;
      void (async () => {
        const sentHeaders = await request.allHeaders();
        const token = /^Bearer (.+)$/i.exec(sentHeaders.authorization ?? '')?.[1] ?? '';
        const answer = { method: 'GET', url: request.url(), status: response.status(), headers: await response.allHeaders(), text: await response.text() };
        resolve({ token, answer });
      })().catch(reject);
    });
  });
}

describe('docs page outside local mode', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  it('offers no sign-in flow: no oauth2 scheme, only the bearer token, nothing persisted, the CSP calls the gateway only', async () => {
    const document = (await gateway.http().get('/docs-json')).body as Document;
    expect(Object.values(document.components.securitySchemes).map((scheme) => scheme.type)).toEqual(['http', 'http']);
    expect(JSON.stringify(document)).not.toMatch(/oauth2|localSignIn|_emulator/);
    for (const operation of operations(document)) {
      for (const requirement of operation.security ?? []) expect(Object.keys(requirement)).not.toContain('localSignIn');
    }
    const init = await gateway.http().get('/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
    expect(init.text).toContain(`"customOptions": {}`);
    expect(init.text).not.toMatch(/persistAuthorization|oauth2|localSignIn/);
    const page = await gateway.http().get('/docs/');
    expect(page.headers['content-security-policy']).toContain("connect-src 'self';");
  });
});
