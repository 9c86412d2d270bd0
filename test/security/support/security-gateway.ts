import { CACHE_MANAGER } from '@nestjs/cache-manager';
import type { Cache } from 'cache-manager';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { createGatewayApp } from '../../../src/app.factory';
import { loadGatewayConfig } from '../../../src/config/gateway-config';
import { EmulatorControlClient, type EmulatorOptions, type RecordedRequest, type RunningEmulator } from '../../../src/emulator';
import { startTestGateway, type TestGateway } from '../../support/gateway';

/** Every management call goes under this prefix; `/auth/vendor` and the JWKS do not. */
export const MANAGEMENT = /^\/identity\//;
export const JWKS_PATH = '/.well-known/jwks.json';

export interface SecurityGateway extends TestGateway {
  /** The gateway also listens on a real port, for raw sockets and hand-written request lines. */
  port: number;
  /** Recorded calls to Frontegg's management API (not the vendor token, not the JWKS). */
  managementCalls: () => Promise<RecordedRequest[]>;
  /** Recorded management calls that change something. */
  upstreamWrites: () => Promise<RecordedRequest[]>;
  jwksFetches: () => Promise<RecordedRequest[]>;
}

/**
 * The project's test gateway (test/support/gateway.ts), listening on 127.0.0.1, with a rate limit
 * high enough that hundreds of refused attempts from one address stay attempts (the limiter has
 * suites of its own). Whatever else the environment says wins.
 */
export async function startSecurityGateway(
  environment: Record<string, string> = {},
  emulatorOptions: EmulatorOptions = {},
): Promise<SecurityGateway> {
  return listening(await startTestGateway({ RATE_LIMIT_PER_MINUTE: '1000000', ...environment }, emulatorOptions));
}

/**
 * A fresh gateway (fresh key cache, fresh fetch gate) against an emulator that outlives it, for
 * suites that need a new gateway per test without paying for a new emulator (and its RSA key)
 * each time. The same wiring as test/support/gateway.ts; closing it leaves the emulator running.
 */
export async function startGatewayOn(emulator: RunningEmulator, environment: Record<string, string> = {}): Promise<SecurityGateway> {
  const upstream = new EmulatorControlClient(emulator.url);
  await upstream.reset();
  const config = loadGatewayConfig({
    FRONTEGG_API_URL: emulator.url,
    FRONTEGG_APP_URL: emulator.url,
    FRONTEGG_CLIENT_ID: emulator.clientId,
    FRONTEGG_API_KEY: emulator.apiKey,
    FRONTEGG_AUDIENCE: emulator.audience,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '1000000',
    ...environment,
  });
  const app = await createGatewayApp(config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return listening({
    app,
    http: () => supertest.agent(app.getHttpServer()),
    emulator,
    upstream,
    token: (options) => upstream.mintToken(options),
    reset: async () => {
      await upstream.reset();
      await app.get<Cache>(CACHE_MANAGER).clear();
    },
    close: () => app.close(),
  });
}

async function listening(gateway: TestGateway): Promise<SecurityGateway> {
  const server = gateway.app.getHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const managementCalls = () => gateway.upstream.requests({ path: MANAGEMENT });
  return {
    ...gateway,
    port,
    managementCalls,
    upstreamWrites: async () => (await managementCalls()).filter((call) => call.method !== 'GET'),
    jwksFetches: () => gateway.upstream.requests({ method: 'GET', path: JWKS_PATH }),
  };
}

/** Keys any code path might have added to Object.prototype. */
export function prototypeKeys(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}
