import { CACHE_MANAGER } from '@nestjs/cache-manager';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Cache } from 'cache-manager';
import supertest from 'supertest';
import { createGatewayApp } from '../../src/app.factory';
import { loadGatewayConfig } from '../../src/config/gateway-config';
import { EmulatorControlClient, startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator';
import { conformingAgent } from './openapi-conformance';

export interface TestGateway {
  app: NestFastifyApplication;
  /** supertest against the gateway (no port needed). */
  http: () => supertest.Agent;
  emulator: RunningEmulator;
  upstream: EmulatorControlClient;
  /** A user token minted by the emulator (default: Alice, admin of tenant-acme). */
  token: (options?: Parameters<EmulatorControlClient['mintToken']>[0]) => Promise<string>;
  /** Back to a known state between tests: the emulator's seed data, and the gateway's caches. */
  reset: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * The real gateway (same factory as `main.ts`) wired to a fresh in-process identity emulator.
 * Only the outside world is replaced: the emulator stands in for Frontegg.
 */
export async function startTestGateway(
  environment: Record<string, string> = {},
  emulatorOptions: EmulatorOptions = {},
): Promise<TestGateway> {
  const emulator = await startEmulator(emulatorOptions);
  const gateway = await startGatewayOn(emulator, environment);
  return {
    ...gateway,
    close: async () => {
      await gateway.close();
      await emulator.close();
    },
  };
}

/**
 * A fresh gateway against an emulator that outlives it (closing it leaves the emulator running),
 * for suites that need a new gateway per test without paying for a new emulator each time.
 */
export async function startGatewayOn(emulator: RunningEmulator, environment: Record<string, string> = {}): Promise<TestGateway> {
  const config = loadGatewayConfig({
    ...emulator.gatewayEnvironment,
    LOG_LEVEL: 'silent',
    ...environment,
  });
  const app = await createGatewayApp(config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const upstream = new EmulatorControlClient(emulator.url);
  return {
    app,
    // Every answer is checked against openapi/gateway.json; a mismatch fails the test that got it.
    http: () => conformingAgent(supertest.agent(app.getHttpServer())),
    emulator,
    upstream,
    token: (options) => upstream.mintToken(options),
    reset: async () => {
      await upstream.reset();
      await app.get<Cache>(CACHE_MANAGER).clear();
    },
    close: () => app.close(),
  };
}

export const PROBLEM_JSON = /^application\/problem\+json/;
