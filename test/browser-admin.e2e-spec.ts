import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startExampleSite, type ExampleSite } from '../examples/browser-session/server';
import { launchChromium } from './support/chromium';
import { signInThroughExamplePage } from './support/example-page';
import { startTestGateway, type TestGateway } from './support/gateway';
import { registerGatewayOrigin } from './support/openapi-conformance';
import { freePort } from './support/processes';
import { ALICE } from './support/sessions';

const BOB = { email: 'bob@acme.test', password: ALICE.password };
const ERIN = { email: 'erin@shared.test', password: ALICE.password };

/**
 * Issue 21 item 7: the example page (examples/browser-session) as a small admin screen, driven in
 * headless Chromium through the cookie session only: the members table with paging, an invitation,
 * a role change, a removal (after which the removed member's own page is refused), and the tenant
 * switcher. The gateway resolves grants live (AUTHZ_SOURCE=live), as a deployment that wants a
 * removal to take effect at once does.
 */
describe('the example page as an admin screen in headless Chromium (issue 21)', () => {
  let browser: Browser;
  let gateway: TestGateway;
  let site: ExampleSite;
  let siteUrl: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    const sitePort = await freePort();
    siteUrl = `http://localhost:${sitePort}`;
    gateway = await startTestGateway({ SESSIONS: 'on', PUBLIC_URL: siteUrl, AUTHZ_SOURCE: 'live', AUTHZ_CACHE_TTL_S: '300' });
    await gateway.app.listen(0, '127.0.0.1');
    const gatewayUrl = `http://127.0.0.1:${(gateway.app.getHttpServer().address() as AddressInfo).port}`;
    registerGatewayOrigin(gatewayUrl);
    site = await startExampleSite({ gatewayUrl, port: sitePort });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await gateway?.close();
  });

  beforeEach(() => gateway.reset());
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  it("pages through the members, invites with a role, changes a member's roles and removes them; the removed member's page is refused at once", async () => {
    const bobsPage = await signedInPage(BOB);
    await waitForCall(bobsPage, 'GET /v1/me → 200');
    const page = await signedInPage(ALICE);
    await waitForCall(page, 'GET /v1/me → 200');

    await page.locator('#load-admin').click();
    await waitForCall(page, 'GET /v1/users?limit=20&page=0&sort=name&order=asc → 200');
    expect(await page.locator('#members tbody tr').count()).toBe(20);
    expect(await page.locator('#members tbody tr td:nth-child(2)').allInnerTexts()).not.toContain('support@vendor.test');
    await page.locator('#next-page').click();
    await waitForCall(page, 'GET /v1/users?limit=20&page=1&sort=name&order=asc → 200');
    expect(await page.locator('#members tbody tr').count()).toBe(13);
    expect(await page.locator('#next-page').isDisabled()).toBe(true);
    await page.locator('#previous-page').click();
    await waitForCall(page, 'GET /v1/users?limit=20&page=0&sort=name&order=asc → 200');

    await page.locator('#invite-email').fill('browser.invite@acme.test');
    await page.locator('#invite-role').selectOption('role-acme-auditor');
    await page.locator('#invite button[type=submit]').click();
    await waitForCall(page, 'POST /v1/users → 201');
    expect(await answerShown(page)).toMatchObject({ email: 'browser.invite@acme.test', roles: [{ key: 'acme-auditor' }] });

    const bobsRow = page.locator('tr[data-user-id="user-bob"]');
    await bobsRow.locator('select.roles').selectOption(['role-member', 'role-acme-auditor']);
    await bobsRow.locator('button.save-roles').click();
    await waitForCall(page, 'PUT /v1/users/user-bob/roles → 200');
    expect((await answerShown<{ roles: { key: string }[] }>(page)).roles.map((role) => role.key).sort()).toEqual(['Member', 'acme-auditor']);
    // Bob's new role applies to his very next request: he may now read the members list.
    await bobsPage.locator('#load-admin').click();
    await waitForCall(bobsPage, 'GET /v1/users?limit=20&page=0&sort=name&order=asc → 200');

    await bobsRow.locator('button.remove').click();
    await waitForCall(page, 'DELETE /v1/users/user-bob → 204');
    expect(await page.locator('tr[data-user-id="user-bob"]').count()).toBe(0);
    // Removed in the page: Bob's own page can no longer call the gateway.
    await bobsPage.locator('#load-me').click();
    await waitForCall(bobsPage, 'GET /v1/me → 401');
    expect(await answerShown<{ detail: string }>(bobsPage)).toMatchObject({ detail: 'access revoked' });
  }, 90_000);

  it("switches the session to another tenant: the page's next calls run there", async () => {
    const page = await signedInPage(ERIN);
    await waitForCall(page, 'GET /v1/me → 200');
    expect(await answerShown(page)).toMatchObject({ tenantId: 'tenant-acme' });
    await page.locator('#load-admin').click();
    // Erin is a plain member in Acme: the members list is refused, by its reason.
    await waitForCall(page, 'GET /v1/users?limit=20&page=0&sort=name&order=asc → 403');
    expect(await answerShown(page)).toMatchObject({ reason: 'missing-permission' });
    expect(await page.locator('#tenant option').allInnerTexts()).toEqual(['Acme', 'Globex']);

    await page.locator('#tenant').selectOption('tenant-globex');
    await page.locator('#switch-tenant').click();
    await page.locator('#status', { hasText: 'Signed in to tenant-globex' }).waitFor();
    await page.locator('#load-me').click();
    await waitForCall(page, 'GET /v1/me → 200');
    expect(await answerShown(page)).toMatchObject({ tenantId: 'tenant-globex', roles: [{ key: 'globex-support' }] });
    await page.locator('#load-admin').click();
    await waitForCall(page, 'GET /v1/users?limit=20&page=0&sort=name&order=asc → 200');
    expect(await page.locator('#members tbody tr td:nth-child(2)').allInnerTexts()).toEqual(['carol@globex.test', 'dave@globex.test', 'erin@shared.test']);
  }, 90_000);

  /** A fresh browser signed in through the page and the hosted form. */
  async function signedInPage(user: { email: string; password: string }): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await signInThroughExamplePage(page, siteUrl, gateway.emulator.url, user);
    return page;
  }
});

async function waitForCall(page: Page, call: string): Promise<void> {
  await page.locator('#last-call', { hasText: call }).waitFor();
}

async function answerShown<T = Record<string, unknown>>(page: Page): Promise<T> {
  return JSON.parse(await page.locator('#last-answer').innerText()) as T;
}
