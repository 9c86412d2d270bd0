import type { HttpService } from '@nestjs/axios';
import { defer } from 'rxjs';
import type { HttpAdapterHost } from '@nestjs/core';
import type { GatewayConfig } from '../config/gateway-config';
import { Metrics } from '../metrics/metrics.service';
import { VendorTokenService } from './vendor-token.service';

const config = { frontegg: { clientId: 'client', apiKey: 'key' } } as GatewayConfig;

/** A fake `POST /auth/vendor`: each call answers a new token with the given lifetime. */
function fakeVendorAuth(expiresIn = 100, status = 200) {
  let issued = 0;
  const calls: unknown[] = [];
  let fail = false;
  const http = {
    post: jest.fn((_url: string, body: unknown) =>
      defer(async () => {
        calls.push(body);
        await new Promise((resolve) => setImmediate(resolve));
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
});
