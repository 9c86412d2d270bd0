import { DOCS_CSP, securityHeaders } from './security-headers';

describe('securityHeaders', () => {
  const headers = securityHeaders();

  it("are helmet's, with a closed CSP for the API", () => {
    expect(headers.api).toMatchObject({
      'content-security-policy': "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    });
    expect(Object.keys(headers.api).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it('give the docs the CSP Swagger UI needs and nothing else different', () => {
    expect(headers.docs['content-security-policy']).toBe(DOCS_CSP);
    expect({ ...headers.docs, 'content-security-policy': undefined }).toEqual({ ...headers.api, 'content-security-policy': undefined });
  });

  it("follow helmet's options, and fail loudly on invalid ones", () => {
    expect(securityHeaders({ hsts: false })['api']['strict-transport-security']).toBeUndefined();
    expect(() => securityHeaders({ contentSecurityPolicy: { directives: { 'default-src': ["'self'", 'none'] } } })).toThrow();
  });
});
