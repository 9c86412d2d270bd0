import { HttpStatus, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { AuthenticationGuard } from '../../auth/authentication.guard';
import { TokenVerifier } from '../../auth/token-verifier.service';
import { GatewayConfig } from '../../config/gateway-config';
import { ProblemException } from '../problems/problem.exception';
import { RateLimitGuard } from './rate-limit.guard';
import type { RateLimiter } from './rate-limiter.service';

/**
 * The first two steps of the request pipeline together (authentication, then the rate limit): a
 * token is remembered as verified only for a request the limiter counted and let through.
 */
describe('RateLimitGuard after AuthenticationGuard', () => {
  let server: Server;
  let url: string;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** A fixed allowance per caller, refused past it as the real limiter refuses (its storage has tests of its own). */
  class AllowanceLimiter {
    readonly counted: string[] = [];
    constructor(private readonly allowance: number) {}
    consume(caller: string): Promise<void> {
      this.counted.push(caller);
      if (this.counted.filter((counted) => counted === caller).length > this.allowance) {
        return Promise.reject(new ProblemException(HttpStatus.TOO_MANY_REQUESTS, 'rate limit exceeded'));
      }
      return Promise.resolve();
    }
  }

  const pipeline = (allowance: number) => {
    const reflector = new Reflector();
    const verifier = new TokenVerifier(
      new GatewayConfig({
        frontegg: { apiUrl: url, appUrl: url, clientId: 'c', apiKey: 'k', jwksUrl: `${url}/jwks`, issuers: [url], audiences: ['c'], algorithms: ['RS256'] },
        jwtClockToleranceS: 30,
        upstreamTimeoutMs: 1000,
      } as unknown as GatewayConfig),
    );
    // Counts signature checks: jose asks for the key once per verification it performs.
    const internals = verifier as unknown as { resolveKey: (...args: unknown[]) => unknown };
    const resolveKey = internals.resolveKey;
    const signatureChecks = jest.fn((...args: unknown[]) => resolveKey(...args));
    internals.resolveKey = signatureChecks;
    const limiter = new AllowanceLimiter(allowance);
    const authentication = new AuthenticationGuard(reflector, verifier);
    const rateLimit = new RateLimitGuard(reflector, limiter as unknown as RateLimiter);
    /** One request through both guards: 'passed', or the status it was refused with. */
    const send = async (token: string): Promise<'passed' | number> => {
      const request = {
        raw: { rawHeaders: ['Authorization', `Bearer ${token}`], headers: { authorization: `Bearer ${token}` } },
        ip: '192.0.2.1',
      } as unknown as FastifyRequest;
      const context = {
        getHandler: () => send,
        getClass: () => AllowanceLimiter,
        switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({ header: () => undefined }) }),
      } as unknown as ExecutionContext;
      try {
        await authentication.canActivate(context);
        expect(request.principal).toBeDefined();
        await rateLimit.canActivate(context);
        return 'passed';
      } catch (error) {
        if (error instanceof ProblemException) return error.getStatus();
        throw error;
      }
    };
    return { send, signatureChecks, limiter };
  };

  const sign = (jti: string) =>
    new SignJWT({ sub: 'u', tenantId: 't', type: 'userToken', jti })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
      .setIssuer(url).setAudience('c').setExpirationTime('5m')
      .sign(privateKey);

  it('remembers a token whose request was let through: its next request skips the signature check', async () => {
    const { send, signatureChecks } = pipeline(10);
    const token = await sign('a');
    expect([await send(token), await send(token), await send(token)]).toEqual(['passed', 'passed', 'passed']);
    expect(signatureChecks).toHaveBeenCalledTimes(1);
  });

  it('does not remember a new token whose request the limiter refused: a caller over its limit cannot fill the cache', async () => {
    const { send, signatureChecks, limiter } = pipeline(1);
    expect(await send(await sign('first'))).toBe('passed');
    const refused = await Promise.all(['second', 'third'].map(sign));
    expect([await send(refused[0]), await send(refused[1])]).toEqual([429, 429]);
    expect(signatureChecks).toHaveBeenCalledTimes(3);

    // Refused again, and each is verified again: neither was remembered.
    expect([await send(refused[0]), await send(refused[1])]).toEqual([429, 429]);
    expect(signatureChecks).toHaveBeenCalledTimes(5);
    expect(limiter.counted).toEqual(Array(5).fill('user:u'));
  });
});
