import { spawn } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { MemorySampler, PRODUCTION_NODE_FLAGS, residentMb } from '../../bench/processes';
import { MAX_TOKEN_LENGTH } from '../../src/auth/token-verifier.service';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { BUILT_MAIN, cleanEnvironment, freePort } from '../support/processes';

/** The benchmark's bound on the gateway's resident memory (bench/report.ts). */
const RSS_BOUND_MB = 150;
const LARGE_TOKENS = 20_000;
const TENANTS = 50_000;
const LARGE_TOKEN_LENGTH = 8_100;
const CONNECTIONS = 32;
const IN_FLIGHT = 64;
/** Far more than each part takes (15-25 s and 35-60 s on this busy 2-core machine): past it, a clear failure, not a hang. */
const LOAD_BUDGET_MS = 90_000;
const READ_ROLES = 'fe.secure.read.roles';
/** What makes Frontegg tokens large: the permission keys of the user's roles, the same for many users. */
const MANY_PERMISSIONS = [READ_ROLES, ...Array.from({ length: 120 }, (_, i) => `app.module-${i}.read`)];

jest.setTimeout(LOAD_BUDGET_MS + 30_000); // a real process and 70,000 requests

/**
 * Issue 11, fault 4: what a busy gateway keeps in memory is bounded, whoever calls it. Tens of
 * thousands of distinct callers go through one built gateway started as production starts it
 * (PRODUCTION_NODE_FLAGS: a 128 MB old space), and its resident memory, read from /proc, stays
 * under the benchmark's bound. Every token is another user's, so the rate limiter's per-caller
 * windows are measured too. Tokens are ES256, signed with the test's own key (published by a
 * JWKS server of the test): 70,000 RS256 signatures would take the test half a minute alone,
 * and the algorithm changes nothing the gateway keeps.
 */
describe('bounded memory under many distinct callers (issue 11)', () => {
  let emulator: RunningEmulator;
  let jwks: Server;
  let gateway: GatewayUnderLoad;
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = 'bounded-memory-test';

  beforeAll(async () => {
    emulator = await startEmulator();
    const publicJwk = { ...keys.publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
    jwks = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    gateway = await startGatewayUnderLoad({
      FRONTEGG_API_URL: emulator.url,
      FRONTEGG_APP_URL: emulator.url,
      FRONTEGG_CLIENT_ID: emulator.clientId,
      FRONTEGG_API_KEY: emulator.apiKey,
      FRONTEGG_AUDIENCE: emulator.audience,
      FRONTEGG_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
      FRONTEGG_JWT_ALGORITHMS: 'ES256',
      // Every caller counted (the limiter's windows are part of what is kept), none refused.
      RATE_LIMIT_PER_MINUTE: '1000000',
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await new Promise((resolve) => jwks?.close(resolve));
    await emulator?.close();
  });

  /** A Frontegg-shaped user access token of one user in one tenant, signed with the test's key. */
  const userToken = (userId: string, tenantId: string, permissions: string[], padding = '') => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: userId,
      email: `${userId}@example.com`,
      tenantId,
      tenantIds: [tenantId],
      type: 'userToken',
      roles: ['member'],
      permissions,
      metadata: padding ? { note: padding } : {},
      iss: emulator.issuer,
      aud: emulator.audience,
      iat: now,
      exp: now + 3600,
    };
    const input = `${encode({ alg: 'ES256', typ: 'JWT', kid })}.${encode(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), { key: keys.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  };

  /** About 8 KB, the most the gateway reads: many permissions, and a claim padded to the length. */
  const largeToken = (i: number) => {
    const unpadded = userToken(`large-${i}`, 'tenant-acme', MANY_PERMISSIONS, '.').length;
    const padding = `${i}-`.padEnd(Math.floor(((LARGE_TOKEN_LENGTH - unpadded) * 3) / 4), 'x');
    return userToken(`large-${i}`, 'tenant-acme', MANY_PERMISSIONS, padding);
  };

  it(`keeps RSS under ${RSS_BOUND_MB} MB through ${LARGE_TOKENS} distinct tokens of about 8 KB`, async () => {
    const sample = largeToken(0);
    expect(sample.length).toBeGreaterThan(LARGE_TOKEN_LENGTH - 100);
    expect(sample.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);

    const started = Date.now();
    const statuses = await gateway.load(LARGE_TOKENS, (i) => ({ path: '/v1/roles', token: largeToken(i) }));

    expect(statuses).toEqual({ 200: LARGE_TOKENS });
    const memory = gateway.memory();
    console.info(`bounded memory: ${LARGE_TOKENS} large tokens, RSS peak ${memory.peakMb} MB, now ${memory.nowMb} MB, in ${Date.now() - started} ms`);
    expect(memory.peakMb).toBeLessThan(RSS_BOUND_MB);
  });

  it(`keeps RSS under ${RSS_BOUND_MB} MB through ${TENANTS} distinct tenants, each listing its roles`, async () => {
    const started = Date.now();
    const statuses = await gateway.load(TENANTS, (i) => ({ path: '/v1/roles', token: userToken(`user-${i}`, `tenant-${i}`, [READ_ROLES]) }));

    expect(statuses).toEqual({ 200: TENANTS });
    const memory = gateway.memory();
    console.info(`bounded memory: ${TENANTS} tenants, RSS peak ${memory.peakMb} MB, now ${memory.nowMb} MB, in ${Date.now() - started} ms`);
    expect(memory.peakMb).toBeLessThan(RSS_BOUND_MB);
  });
});

const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');

interface GatewayUnderLoad {
  /** Sends `count` requests, IN_FLIGHT at a time; the answers' statuses, counted. */
  load: (count: number, request: (i: number) => { path: string; token: string }) => Promise<Record<number, number>>;
  /** Resident memory (VmRSS, MB): the highest sampled under load so far (every 200 ms, as the bench samples it), and now. */
  memory: () => { peakMb: number; nowMb: number };
  stop: () => Promise<void>;
}

/**
 * The built gateway with production's node flags and log level. Its log goes nowhere (70,000
 * access-log lines are not this test's subject); what it prints on stderr is kept for a failure.
 */
async function startGatewayUnderLoad(environment: Record<string, string>): Promise<GatewayUnderLoad> {
  const port = await freePort();
  const child = spawn(process.execPath, [...PRODUCTION_NODE_FLAGS, BUILT_MAIN], {
    env: cleanEnvironment({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...environment }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const pool = new Pool(url, { connections: CONNECTIONS });

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway exited at start (code ${child.exitCode}): ${errors}`);
    const live = await pool.request({ method: 'GET', path: '/health/live' }).then(
      async ({ statusCode, body }) => (await body.dump(), statusCode === 200),
      () => false,
    );
    if (live) break;
    if (Date.now() > deadline) throw new Error(`the gateway did not answer /health/live within 15 s: ${errors}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  let peakMb = 0;
  const round = (mb: number) => Math.round(mb * 10) / 10;

  return {
    async load(count, request) {
      const sampler = new MemorySampler(child.pid!).start();
      const statuses: Record<number, number> = {};
      const deadline = Date.now() + LOAD_BUDGET_MS;
      let next = 0;
      let answered = 0;
      const sender = async () => {
        for (let i = next++; i < count && Date.now() < deadline; i = next++) {
          const { path, token } = request(i);
          const { statusCode, body } = await pool.request({ method: 'GET', path, headers: { authorization: `Bearer ${token}` } });
          await body.dump();
          statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
          answered++;
        }
      };
      try {
        await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
      } catch (error) {
        throw new Error(`${(error as Error).message}; gateway ${child.exitCode === null ? 'running' : `exited (${child.exitCode})`}: ${errors}`);
      } finally {
        peakMb = Math.max(peakMb, sampler.stop().peakMb ?? Number.POSITIVE_INFINITY);
      }
      if (answered < count) throw new Error(`only ${answered} of ${count} requests answered within ${LOAD_BUDGET_MS / 1000} s (RSS peak ${round(peakMb)} MB)`);
      return statuses;
    },
    memory: () => ({ peakMb: round(peakMb), nowMb: round(residentMb(child.pid!) ?? Number.POSITIVE_INFINITY) }),
    async stop() {
      await pool.close();
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
