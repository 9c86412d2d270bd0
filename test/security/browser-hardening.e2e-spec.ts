/**
 * Family 7 — browser-facing hardening (OWASP API8): CORS only for CORS_ORIGINS, security headers
 * (helmet, computed once at start) on every answer, a closed CSP for the API and one Swagger UI can run with at
 * /docs, no X-Powered-By.
 */
import type { Response } from 'supertest';
import { httpText, rawRequest } from './support/raw-http';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

const ALLOWED = 'https://app.example.com';
const ALSO_ALLOWED = 'https://admin.example.com:8443';

/** Headers every answer of the gateway carries, whatever its status. */
function expectSecurityHeaders(response: Response, label: string): void {
  const headers = response.headers;
  expect({ label, headers: {
    'x-content-type-options': headers['x-content-type-options'],
    'x-frame-options': headers['x-frame-options'],
    'strict-transport-security': headers['strict-transport-security'],
    'referrer-policy': headers['referrer-policy'],
    'cross-origin-opener-policy': headers['cross-origin-opener-policy'],
    'x-powered-by': headers['x-powered-by'],
    server: headers.server,
  } }).toEqual({ label, headers: {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'strict-transport-security': expect.stringMatching(/max-age=\d{7,}/),
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'x-powered-by': undefined,
    server: undefined,
  } });
}

describe('browser-facing hardening (OWASP API8)', () => {
  describe(`CORS with CORS_ORIGINS=${ALLOWED},${ALSO_ALLOWED}`, () => {
    let g: SecurityGateway;
    beforeAll(async () => {
      g = await startSecurityGateway({ CORS_ORIGINS: `${ALLOWED}, ${ALSO_ALLOWED}` });
    });
    afterAll(() => g.close());

    const preflight = (origin: string, method = 'PATCH') =>
      g.http().options('/v1/me').set('origin', origin).set('access-control-request-method', method)
        .set('access-control-request-headers', 'authorization, content-type');

    it.each([ALLOWED, ALSO_ALLOWED])('an allowed origin (%s) is answered with its own origin, never *, and no credentials', async (origin) => {
      const response = await g.http().get('/v1/me').set('origin', origin).set('authorization', `Bearer ${await g.token()}`);
      expect(response.status).toBe(200);
      expect(response.headers['access-control-allow-origin']).toBe(origin);
      expect(response.headers['access-control-allow-credentials']).toBeUndefined();
      expect(response.headers.vary).toMatch(/origin/i);
      expect(response.headers['access-control-expose-headers']).toMatch(/x-request-id/i);
    });

    it('an allowed origin may preflight the write route with authorization and content-type', async () => {
      const response = await preflight(ALLOWED);
      expect(response.status).toBeLessThan(300);
      expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(response.headers['access-control-allow-methods']).toMatch(/PATCH/);
      expect(response.headers['access-control-allow-headers']).toMatch(/authorization/i);
    });

    it.each([
      'https://evil.example.com',
      'https://app.example.com.evil.com',
      'https://evilapp.example.com',
      'https://app.example.co',
      'http://app.example.com',
      'https://app.example.com:444',
      'https://admin.example.com',
      'null',
      'https://app.example.com/',
      'HTTPS://APP.EXAMPLE.COM',
      `${ALLOWED}, https://evil.example.com`,
      'file://',
    ])('a disallowed origin (%s) gets no Access-Control-Allow-Origin, on requests and preflights', async (origin) => {
      const simple = await g.http().get('/v1/me').set('origin', origin).set('authorization', `Bearer ${await g.token()}`);
      expect(simple.headers['access-control-allow-origin']).toBeUndefined();
      expect(simple.headers['access-control-allow-credentials']).toBeUndefined();
      const options = await preflight(origin);
      expect(options.headers['access-control-allow-origin']).toBeUndefined();
      expect(options.headers['access-control-allow-methods']).toBeUndefined();
    });

    it('an error answer to an allowed origin is readable, to a disallowed one is not', async () => {
      expect((await g.http().get('/v1/me').set('origin', ALLOWED)).headers['access-control-allow-origin']).toBe(ALLOWED);
      expect((await g.http().get('/v1/me').set('origin', 'https://evil.example.com')).headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('without CORS_ORIGINS', () => {
    let g: SecurityGateway;
    beforeAll(async () => {
      g = await startSecurityGateway();
    });
    afterAll(() => g.close());

    it('no origin gets CORS headers', async () => {
      for (const origin of [ALLOWED, 'https://evil.example.com', 'null']) {
        const response = await g.http().get('/v1/me').set('origin', origin).set('authorization', `Bearer ${await g.token()}`);
        expect(response.headers['access-control-allow-origin']).toBeUndefined();
        const options = await g.http().options('/v1/me').set('origin', origin).set('access-control-request-method', 'PATCH');
        expect(options.headers['access-control-allow-origin']).toBeUndefined();
      }
    });

    it('every kind of answer carries the security headers and no X-Powered-By', async () => {
      const token = `Bearer ${await g.token()}`;
      const answers: [string, Response][] = [
        ['200 read', await g.http().get('/v1/me').set('authorization', token)],
        ['200 write', await g.http().patch('/v1/me').set('authorization', token).send({ name: 'Alice' })],
        ['400', await g.http().patch('/v1/me').set('authorization', token).send({ mfaBypass: true })],
        ['401', await g.http().get('/v1/me')],
        ['403', await g.http().get('/v1/roles').set('authorization', `Bearer ${await g.token({ claims: { permissions: [] } })}`)],
        ['404', await g.http().get('/v1/nothing')],
        ['413', await g.http().patch('/v1/me').set('authorization', token).set('content-type', 'application/json').send(`{"name":"${'x'.repeat(20_000)}"}`)],
        ['415', await g.http().patch('/v1/me').set('authorization', token).set('content-type', 'text/plain').send('x')],
        ['health', await g.http().get('/health/live')],
        ['OpenAPI document', await g.http().get('/docs-json')],
        ['Swagger UI', await g.http().get('/docs')],
      ];
      for (const [label, response] of answers) expectSecurityHeaders(response, label);
    });

    it('the API answers with a CSP that allows nothing and no framing', async () => {
      for (const response of [await g.http().get('/v1/me'), await g.http().get('/health/live'), await g.http().get('/docs-json')]) {
        const csp = response.headers['content-security-policy'];
        expect(csp).toMatch(/default-src 'none'/);
        expect(csp).toMatch(/frame-ancestors 'none'/);
        expect(csp).not.toMatch(/unsafe-eval|unsafe-inline/);
      }
    });

    it('Swagger UI gets a CSP it runs with: its own scripts only (no inline script), inline styles, no framing', async () => {
      const page = await g.http().get('/docs');
      expect(page.status).toBe(200);
      const csp = page.headers['content-security-policy'];
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toMatch(/style-src 'self' 'unsafe-inline'/);
      expect(csp).toMatch(/img-src 'self' data:/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).not.toMatch(/unsafe-eval/);
      // What makes that CSP enough: every script of the page is a same-origin file, and each is served.
      const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, inline] of scripts) {
        expect(inline.trim()).toBe('');
        const src = /src="([^"]+)"/.exec(attributes)?.[1];
        expect(src).toMatch(/^\.\/docs\//);
        const asset = await g.http().get(`/${src!.slice(2)}`);
        expect({ src, status: asset.status }).toEqual({ src, status: 200 });
      }
      expect(page.text).not.toMatch(/\son[a-z]+="/); // no inline event handlers
    });

    it('answers the HTTP layer writes itself (a refused header section) are problems that cannot be sniffed', async () => {
      const response = await rawRequest(g.port, httpText(['GET /v1/me HTTP/1.1', 'host: gateway', `x-big: ${'a'.repeat(20_000)}`]));
      expect(response.status).toBe(431);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-powered-by']).toBeUndefined();
    });
  });
});
