import type { HttpService } from '@nestjs/axios';
import { Logger } from '@nestjs/common';
import { defer } from 'rxjs';
import type { HttpAdapterHost } from '@nestjs/core';
import type { GatewayConfig } from '../config/gateway-config';
import { Metrics } from '../metrics/metrics.service';
import { budgetFor } from './upstream-budget';
import { READINESS_RENEWAL_INTERVAL_MS, READINESS_WAIT_MS, VendorTokenService } from './vendor-token.service';

const config = { frontegg: { clientId: 'client', apiKey: 'key' }, upstreamTimeoutMs: 5_000, requestDeadlineMs: 10_000 } as GatewayConfig;

/** A fake `POST /auth/vendor`: each call answers a new token with the given lifetime. */
function fakeVendorAuth(expiresIn = 100, status = 200, latencyMs = 0) {
  let issued = 0;
  const calls: unknown[] = [];
  let fail = false;
  const http = {
    post: jest.fn((_url: string, body: unknown) =>
      defer(async () => {
        calls.push(body);
        await new Promise((resolve) => (latencyMs > 0 ? setTimeout(resolve, latencyMs) : setImmediate(resolve)));
        if (fail) return { status: 500, data: {}, headers: {} };
        return { status, data: { token: `vendor-${++issued}`, expiresIn }, headers: {} };
      }),
    ),
  } as unknown as HttpService;
  return { http, calls, failFromNowOn: () => (fail = true) };
}

describe('VendorTokenService', () => {
  let now: number;
  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    // Renewal lines and warnings are expected here: keep them out of the test output.
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('authenticates with the environment credentials and caches the token', async () => {
    const upstream = fakeVendorAuth();
    const tokens = new VendorTokenService(upstream.http, config, new Metrics({} as HttpAdapterHost));
    expect(await tokens.token()).toBe('vendor-1');
    expect(await tokens.token()).toBe('vendor-1');
    expect(upstream.calls).toEqual([{ clientId: 'client', secret: 'key' }]);
  });

  it('shares one renewal among concurrent first requests', async () => {
    const upstream = fakeVendorAuth();
    const tokens = new VendorTokenService(upstream.http, config, new Metrics({} as HttpAdapterHost));
    const all = await Promise.all(Array.from({ length: 100 }, () => tokens.token()));
    expect(new Set(all)).toEqual(new Set(['vendor-1']));
    expect(upstream.calls).toHaveLength(1);
  });

  it('renews in the background once 80 % of the lifetime has passed, without making callers wait', async () => {
    const upstream = fakeVendorAuth(100);
    const tokens = new VendorTokenService(upstream.http, config, new Metrics({} as HttpAdapterHost));
    await tokens.token();
    now += 79_000;
    expect(await tokens.token()).toBe('vendor-1');
    expect(upstream.calls).toHaveLength(1);
    now += 2_000;
    expect(await tokens.token()).toBe('vendor-1'); // still usable: answered at once
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(upstream.calls).toHaveLength(2);
    expect(await tokens.token()).toBe('vendor-2');
  });

  it('never hands out a token past its usable lifetime', async () => {
    const upstream = fakeVendorAuth(100);
    const tokens = new VendorTokenService(upstream.http, config, new Metrics({} as HttpAdapterHost));
    await tokens.token();
    now += 96_000; // within the safety margin before expiry
    expect(await tokens.token()).toBe('vendor-2');
  });

  it('keeps using a valid token while renewal fails', async () => {
    const upstream = fakeVendorAuth(100);
    const tokens = new VendorTokenService(upstream.http, config, new Metrics({} as HttpAdapterHost));
    await tokens.token();
    upstream.failFromNowOn();
    now += 85_000;
    expect(await tokens.token()).toBe('vendor-1');
    expect(tokens.hasUsableToken()).toBe(true);
    now += 15_000;
    await expect(tokens.token()).rejects.toMatchObject({ status: 502 });
    expect(tokens.hasUsableToken()).toBe(false);
  });

  it('renews once after a rejection, and shares that renewal', async () => {
    const upstream = fakeVendorAuth(100);
    const tokens = new VendorTokenService(upstream.http, config, new Metrics({} as HttpAdapterHost));
    const rejected = await tokens.token();
    const renewed = await Promise.all([tokens.renewAfterRejection(rejected), tokens.renewAfterRejection(rejected)]);
    expect(renewed).toEqual(['vendor-2', 'vendor-2']);
    expect(await tokens.renewAfterRejection(rejected)).toBe('vendor-2');
    expect(upstream.calls).toHaveLength(2);
  });

  it('refuses an answer without a usable token as a bad gateway', async () => {
    const tokens = new VendorTokenService(fakeVendorAuth(0).http, config, new Metrics({} as HttpAdapterHost));
    await expect(tokens.token()).rejects.toMatchObject({ status: 502 });
  });

  it("bounds a caller's wait for a shared renewal by its own budget, without cancelling it for the others", async () => {
    const upstream = fakeVendorAuth(100, 200, 300);
    const tokens = new VendorTokenService(upstream.http, config, new Metrics({} as HttpAdapterHost));
    const startedAt = performance.now();
    const hurried = tokens.token(budgetFor(50));
    const patient = tokens.token(budgetFor(5_000));
    await expect(hurried).rejects.toMatchObject({ status: 504, detail: 'identity API did not answer vendor authentication within the request deadline' });
    expect(performance.now() - startedAt).toBeLessThan(250);
    expect(await patient).toBe('vendor-1');
    expect(upstream.calls).toHaveLength(1);
  });

  it('a caller whose client went away stops waiting at once', async () => {
    const upstream = fakeVendorAuth(100, 200, 300);
    const tokens = new VendorTokenService(upstream.http, config, new Metrics({} as HttpAdapterHost));
    const clientGone = new AbortController();
    const waiting = tokens.token({ deadlineAt: performance.now() + 5_000, signal: clientGone.signal });
    clientGone.abort();
    await expect(waiting).rejects.toMatchObject({ status: 499 });
    expect(await tokens.token()).toBe('vendor-1');
  });

  it('readiness probes start at most one renewal per 10 s while vendor authentication fails; requests still renew', async () => {
    const upstream = fakeVendorAuth(100, 401);
    const tokens = new VendorTokenService(upstream.http, config, new Metrics({} as HttpAdapterHost));
    let monotonic = 0;
    jest.spyOn(performance, 'now').mockImplementation(() => monotonic);
    for (let probe = 0; probe < 20; probe++) {
      await expect(tokens.readyToken()).rejects.toMatchObject({ status: 502 });
      monotonic += 100;
    }
    expect(upstream.calls).toHaveLength(1);
    await expect(tokens.token()).rejects.toMatchObject({ status: 502 }); // a request is not held back
    expect(upstream.calls).toHaveLength(2);
    monotonic += READINESS_RENEWAL_INTERVAL_MS;
    await expect(tokens.readyToken()).rejects.toMatchObject({ status: 502 });
    expect(upstream.calls).toHaveLength(3);
  });

  it('a readiness probe waits for a slow renewal less than a probe\'s timeout (3 s), and the renewal goes on', async () => {
    const upstream = fakeVendorAuth(100, 200, READINESS_WAIT_MS + 400);
    const tokens = new VendorTokenService(upstream.http, config, new Metrics({} as HttpAdapterHost));
    const startedAt = performance.now();
    await expect(tokens.readyToken()).rejects.toMatchObject({ status: 504 });
    expect(performance.now() - startedAt).toBeLessThan(READINESS_WAIT_MS + 300);
    expect(READINESS_WAIT_MS).toBeLessThan(3_000);
    expect(await tokens.token()).toBe('vendor-1');
    await expect(tokens.readyToken()).resolves.toBeUndefined();
    expect(upstream.calls).toHaveLength(1);
  });
});
