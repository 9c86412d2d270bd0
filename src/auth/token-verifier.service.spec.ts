import { Logger } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { GatewayConfig } from '../config/gateway-config';
import { JWKS_REFETCH_COOLDOWN_MS, TokenRejectedError, TokenVerifier } from './token-verifier.service';

describe('TokenVerifier', () => {
  let server: Server;
  let url: string;
  let fetches = 0;
  let failing = false;
  let privateKey: CryptoKey;
  let jwk: JWK;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_request, response) => {
      fetches++;
      response.writeHead(failing ? 503 : 200, { 'content-type': 'application/json' });
      response.end(failing ? '{}' : JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    fetches = 0;
    failing = false;
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  const verifier = (jwtClockToleranceS = 30) =>
    new TokenVerifier(
      new GatewayConfig({
        frontegg: { apiUrl: url, appUrl: url, clientId: 'c', apiKey: 'k', jwksUrl: `${url}/jwks`, issuers: [url], audiences: ['c'], algorithms: ['RS256'] },
        jwtClockToleranceS,
        upstreamTimeoutMs: 1000,
      } as unknown as GatewayConfig),
    );
  const sign = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
    new SignJWT({ sub: 'u', tenantId: 't', type: 'userToken', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT', ...header })
      .setIssuer(url).setAudience('c').setIssuedAt(typeof claims.iat === 'number' ? claims.iat : undefined).setExpirationTime('5m')
      .sign(privateKey);
  const refusal = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: unknown) => (error instanceof TokenRejectedError ? error.reason : 'crashed'));
  const moveClock = (ms: number) => {
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + ms);
  };

  it('accepts a valid token, fetching the keys once', async () => {
    const subject = verifier();
    await expect(subject.verify(await sign())).resolves.toMatchObject({ principal: { userId: 'u', tenantId: 't' } });
    await subject.verify(await sign());
    expect(fetches).toBe(1);
  });

  it.each<[string, Record<string, unknown>]>([
    ['alg none', { alg: 'none' }],
    ['an HMAC alg', { alg: 'HS256' }],
    ['a crit header', { crit: ['exp'] }],
    ['b64 false', { b64: false }],
    ['a jku', { jku: 'https://evil.example.com' }],
    ['another typ', { typ: 'secevent+jwt' }],
    ['no kid', { kid: undefined }],
  ])('refuses %s from the header alone, before any key fetch', async (_name, header) => {
    const [encodedHeader, payload, signature] = (await sign()).split('.');
    const decoded = { ...JSON.parse(Buffer.from(encodedHeader, 'base64url').toString()), ...header };
    const forged = `${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${payload}.${signature}`;
    expect(await refusal(verifier().verify(forged))).toBe('invalid');
    expect(fetches).toBe(0);
  });

  describe('verified-token cache', () => {
    /** Counts signature checks: jose asks for the key once per verification it performs. */
    const counted = (subject: TokenVerifier) => {
      const internals = subject as unknown as { resolveKey: (...args: unknown[]) => unknown };
      const original = internals.resolveKey;
      const lookups = jest.fn((...args: unknown[]) => original(...args));
      internals.resolveKey = lookups;
      return lookups;
    };

    /** Verifies and remembers, as a request the rate limiter let through does. */
    const admitted = async (subject: TokenVerifier, token: string) => {
      const verification = await subject.verify(token);
      verification.remember?.();
      return verification.principal;
    };

    it('verifies a token once, then, once remembered, answers it from memory', async () => {
      const subject = verifier();
      const lookups = counted(subject);
      const token = await sign();
      const first = await admitted(subject, token);
      const again = await subject.verify(token);
      expect(again.principal).toBe(first);
      expect(again.remember).toBeUndefined();
      expect(lookups).toHaveBeenCalledTimes(1);
      await admitted(subject, await sign({ sub: 'other' }));
      expect(lookups).toHaveBeenCalledTimes(2);
    });

    it('keeps nothing until told to remember: a token never remembered is verified every time', async () => {
      const subject = verifier();
      const lookups = counted(subject);
      const token = await sign();
      for (let i = 0; i < 3; i++) expect((await subject.verify(token)).remember).toBeInstanceOf(Function);
      expect(lookups).toHaveBeenCalledTimes(3);
    });

    it('checks a token again after 60 s in memory', async () => {
      const subject = verifier();
      const lookups = counted(subject);
      const token = await sign();
      await admitted(subject, token);
      moveClock(61_000);
      await expect(admitted(subject, token)).resolves.toMatchObject({ userId: 'u' });
      expect(lookups).toHaveBeenCalledTimes(2);
    });

    it('never answers a token from memory past its exp', async () => {
      const subject = verifier(0);
      const token = await new SignJWT({ sub: 'u', tenantId: 't', type: 'userToken' })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
        .setIssuer(url).setAudience('c').setExpirationTime(Math.floor(Date.now() / 1000) + 2)
        .sign(privateKey);
      await expect(admitted(subject, token)).resolves.toMatchObject({ userId: 'u' });
      await new Promise((resolve) => setTimeout(resolve, 2_100)); // jose reads the real clock
      expect(await refusal(subject.verify(token))).toBe('expired');
    });

    it('never caches a refusal, nor answers a tampered copy from memory', async () => {
      const subject = verifier();
      const token = await sign();
      await admitted(subject, token);
      const tampered = `${token.slice(0, -4)}AAAA`;
      expect(await refusal(subject.verify(tampered))).toBe('invalid');
      expect(await refusal(subject.verify(tampered))).toBe('invalid');
    });
  });

  it.each([
    ['a quote', (token: string) => `${token.slice(0, -10)}"${token.slice(-9)}`],
    ['a blank inside', (token: string) => `${token.slice(0, -10)} ${token.slice(-10)}`],
    ['padding before the end', (token: string) => `${token.slice(0, -10)}=${token.slice(-10)}`],
    ['a non-ASCII letter', (token: string) => `${token.slice(0, -10)}é${token.slice(-9)}`],
  ])('refuses a token with %s (RFC 6750 b64token) before any key fetch, even beside its valid original', async (_name, corrupt) => {
    const subject = verifier();
    const token = await sign();
    expect(await refusal(subject.verify(corrupt(token)))).toBe('invalid');
    expect(fetches).toBe(0);
    await subject.verify(token).then(({ remember }) => remember?.());
    expect(await refusal(subject.verify(corrupt(token)))).toBe('invalid');
  });

  it('refuses iat and auth_time in the future', async () => {
    const subject = verifier();
    const later = Math.floor(Date.now() / 1000) + 3600;
    expect(await refusal(subject.verify(await sign({ iat: later })))).toBe('invalid');
    expect(await refusal(subject.verify(await sign({ auth_time: later })))).toBe('invalid');
    expect(await refusal(subject.verify(await sign({ auth_time: Math.floor(Date.now() / 1000) - 10 })))).toBe('accepted');
  });

  it('makes at most one fetch attempt per cooldown for unknown kids, also while the JWKS fails', async () => {
    const subject = verifier();
    await subject.verify(await sign());
    failing = true;
    moveClock(JWKS_REFETCH_COOLDOWN_MS + 1);
    const unknown = await Promise.all(Array.from({ length: 10 }, (_, i) => sign({}, { kid: `unknown-${i}` })));
    for (const token of unknown) expect(await refusal(subject.verify(token))).toBe('invalid');
    await Promise.all(unknown.map((token) => refusal(subject.verify(token))));
    expect(fetches).toBe(2);
    await expect(subject.verify(await sign())).resolves.toBeDefined(); // the cached key still works
    expect(await subject.hasSigningKeys()).toBe(true);
    expect(fetches).toBe(2);
  });

  it('with no keys at all, readiness probes and tokens share the same gate', async () => {
    failing = true;
    const subject = verifier();
    for (let i = 0; i < 5; i++) expect(await subject.hasSigningKeys()).toBe(false);
    expect(await refusal(subject.verify(await sign()))).toBe('invalid');
    expect(fetches).toBe(1);
    failing = false;
    jest.spyOn(Date, 'now').mockRestore();
    moveClock(JWKS_REFETCH_COOLDOWN_MS + 1);
    expect(await subject.hasSigningKeys()).toBe(true);
    expect(fetches).toBe(2);
  });
});
