import { DOCS_CSP, securityHeaders } from './security-headers';

describe('securityHeaders', () => {
  const headers = securityHeaders();

  it("are helmet's, with a closed CSP for the API", () => {
    expect(headers.api).toEqual({
      'content-security-policy': "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
  });

  it("give Swagger UI's documents helmet's full set, with the CSP it needs", () => {
    expect(headers.docs).toMatchObject({
      ...headers.api,
      'content-security-policy': DOCS_CSP,
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
      'origin-agent-cluster': '?1',
    });
  });

  it("let Swagger UI call the identity emulator's origin only when asked (local mode's docs sign-in)", () => {
    expect(DOCS_CSP).toContain("connect-src 'self'; ");
    const local = securityHeaders(undefined, undefined, ['http://127.0.0.1:3001']);
    expect(local.docs['content-security-policy']).toBe(DOCS_CSP.replace("connect-src 'self'", "connect-src 'self' http://127.0.0.1:3001"));
    expect(local.api).toEqual(headers.api);
  });

  it("follow helmet's options, and fail loudly on invalid ones", () => {
    expect(securityHeaders({ strictTransportSecurity: false }).api['strict-transport-security']).toBeUndefined();
    expect(() => securityHeaders({ contentSecurityPolicy: { directives: { 'default-src': ["'self'", 'none'] } } })).toThrow();
  });
});
