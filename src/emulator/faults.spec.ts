import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertUsableFault, faultBody, faultHeaders, faultMatches, FaultRegistry, streamOversizedBody, hideIgnoredHeaders } from './faults';
import { FronteggError } from './errors';

describe('faultMatches', () => {
  it('matches an exact path, not a longer or shorter one', () => {
    const spec = { path: '/identity/resources/roles/v1', status: 500 };
    expect(faultMatches(spec, 'GET', '/identity/resources/roles/v1')).toBe(true);
    expect(faultMatches(spec, 'GET', '/identity/resources/roles/v1/role-admin')).toBe(false);
    expect(faultMatches(spec, 'GET', '/identity/resources/roles')).toBe(false);
  });

  it('matches a prefix ending with *', () => {
    const spec = { path: '/identity/*', status: 500 };
    expect(faultMatches(spec, 'PUT', '/identity/resources/users/v1/user-bob')).toBe(true);
    expect(faultMatches(spec, 'POST', '/auth/vendor')).toBe(false);
  });

  it('matches any method when none is given, else only that method, case-insensitively', () => {
    expect(faultMatches({ path: '/auth/vendor', status: 500 }, 'POST', '/auth/vendor')).toBe(true);
    expect(faultMatches({ path: '/auth/vendor', method: 'post', status: 500 }, 'POST', '/auth/vendor')).toBe(true);
    expect(faultMatches({ path: '/auth/vendor', method: 'GET', status: 500 }, 'POST', '/auth/vendor')).toBe(false);
  });
});

describe('assertUsableFault', () => {
  it('refuses a fault that changes nothing', () => {
    expect(() => assertUsableFault({ path: '/x' })).toThrow(FronteggError);
    expect(() => assertUsableFault({ path: '/x', latencyMs: 10 })).not.toThrow();
    expect(() => assertUsableFault({ path: '/x', dropConnection: true })).not.toThrow();
    expect(() => assertUsableFault({ path: '/x', oversizedBodyBytes: 1024 })).not.toThrow();
  });

  it('takes ignoreTenantHeader alone or with latency, never where the request would not reach its route', () => {
    expect(() => assertUsableFault({ path: '/x', ignoreTenantHeader: true })).not.toThrow();
    expect(() => assertUsableFault({ path: '/x', ignoreTenantHeader: true, latencyMs: 10 })).not.toThrow();
    expect(() => assertUsableFault({ path: '/x', ignoreTenantHeader: true, status: 500 })).toThrow(FronteggError);
    expect(() => assertUsableFault({ path: '/x', ignoreTenantHeader: true, dropConnection: true })).toThrow(FronteggError);
  });

  it('refuses a rate-limit reset on anything but a 429', () => {
    expect(() => assertUsableFault({ path: '/x', status: 503, rateLimitResetSeconds: 5 })).toThrow(
      'rateLimitResetSeconds needs status 429',
    );
    expect(() => assertUsableFault({ path: '/x', status: 429, rateLimitResetSeconds: 5 })).not.toThrow();
  });
});

describe('faultHeaders and faultBody', () => {
  it('sets X-Rate-Limit-Reset to now + N seconds as an RFC 3339 time, beside the given headers', () => {
    const now = new Date('2025-03-01T12:00:00.000Z');
    const spec = { path: '/x', status: 429, rateLimitResetSeconds: 30, headers: { 'retry-after': '7' } };
    expect(faultHeaders(spec, now)).toEqual({
      'retry-after': '7',
      'x-rate-limit-reset': '2025-03-01T12:00:30.000Z',
    });
  });

  it('answers the given body, else a Frontegg error body for an error status', () => {
    expect(faultBody(502, '<html>bad gateway</html>')).toBe('<html>bad gateway</html>');
    expect(faultBody(503, undefined)).toEqual({ errors: ['Emulated fault: status 503'] });
    expect(faultBody(200, undefined)).toBeUndefined();
  });
});

describe('FaultRegistry', () => {
  it('affects only `count` matching requests, then lets them through', () => {
    const faults = new FaultRegistry();
    faults.add({ path: '/auth/vendor', status: 503, count: 2 });
    expect(faults.take('POST', '/other')).toBeUndefined();
    expect(faults.take('POST', '/auth/vendor')?.status).toBe(503);
    expect(faults.take('POST', '/auth/vendor')?.status).toBe(503);
    expect(faults.take('POST', '/auth/vendor')).toBeUndefined();
  });

  it('lets `skip` matching requests through before acting, whatever their method', () => {
    const faults = new FaultRegistry();
    faults.add({ path: '/identity/resources/users/v1/*', status: 500, skip: 1, count: 1 });
    expect(faults.take('DELETE', '/identity/resources/users/v1/user-bob/roles')).toBeUndefined();
    expect(faults.take('POST', '/identity/resources/users/v1/user-bob/roles')?.status).toBe(500);
    expect(faults.take('POST', '/identity/resources/users/v1/user-bob/roles')).toBeUndefined();
  });

  it('keeps a fault without count until cleared', () => {
    const faults = new FaultRegistry();
    faults.add({ path: '/x', status: 500 });
    for (let i = 0; i < 5; i++) expect(faults.take('GET', '/x')).toBeDefined();
    faults.clear();
    expect(faults.take('GET', '/x')).toBeUndefined();
  });

  it('prefers the newest matching fault, so a narrow fault can cover a broad one', () => {
    const faults = new FaultRegistry();
    faults.add({ path: '/identity/*', status: 500 });
    faults.add({ path: '/identity/resources/roles/v1', status: 429, count: 1 });
    expect(faults.take('GET', '/identity/resources/roles/v1')?.status).toBe(429);
    expect(faults.take('GET', '/identity/resources/roles/v1')?.status).toBe(500);
  });

  it('gives each fault its own id', () => {
    const faults = new FaultRegistry();
    expect(faults.add({ path: '/a', status: 500 })).not.toEqual(faults.add({ path: '/a', status: 500 }));
  });
});

describe('streamOversizedBody', () => {
  it('answers a JSON object of exactly the asked size, chunked', async () => {
    const server = createServer((_request, response) => streamOversizedBody(response, 200, 300_000));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const answer = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const text = await answer.text();
      expect(answer.headers.get('content-length')).toBeNull();
      expect(Buffer.byteLength(text)).toBe(300_000);
      expect((JSON.parse(text) as { padding: string }).padding).toMatch(/^x+$/);
    } finally {
      server.close();
    }
  });
});

describe('hideIgnoredHeaders', () => {
  it('hides frontegg-tenant-id from the route only under an ignoreTenantHeader fault', () => {
    const headers = { 'frontegg-tenant-id': 'tenant-acme', authorization: 'Bearer x' };
    hideIgnoredHeaders({ path: '/x', latencyMs: 5 }, headers);
    expect(headers).toEqual({ 'frontegg-tenant-id': 'tenant-acme', authorization: 'Bearer x' });
    hideIgnoredHeaders({ path: '/x', ignoreTenantHeader: true }, headers);
    expect(headers).toEqual({ authorization: 'Bearer x' });
  });
});
