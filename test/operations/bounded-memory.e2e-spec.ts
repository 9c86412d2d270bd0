import { spawn } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { ALL_ROLES, TENANTS as BENCH_TENANTS } from '../../bench/fixtures';
import { MemorySampler, PRODUCTION_NODE_FLAGS, residentMb } from '../../bench/processes';
import { MAX_TOKEN_LENGTH } from '../../src/auth/token-verifier.service';
import { BUILT_MAIN, cleanEnvironment, freePort } from '../support/processes';

/** The benchmark's bound on the gateway's resident memory (bench/report.ts). */
const RSS_BOUND_MB = 150;
/**
 * What the gateway may hold in its V8 heap after a flood: its own code and state (about 35 MB)
 * plus every per-instance bound (cache 8 MiB, rate-limit windows 2 MiB, verified tokens 4 MiB),
 * with room for garbage not yet collected. Before the bounds, 12,000 tenants held 107 MB live, and
 * 5,000 remembered 8 KB tokens about 60 MB.
 */
const HEAP_BOUND_MB = 80;
const LARGE_TOKENS = 20_000;
const TENANTS = 50_000;
const LARGE_TOKEN_LENGTH = 8_100;
const CONNECTIONS = 32;
const IN_FLIGHT = 16;
/** Far more than each part takes: past it, a clear failure, not a hang. */
const LOAD_BUDGET_MS = 90_000;
const READ_ROLES = 'fe.secure.read.roles';
/** What makes Frontegg tokens large: the permission keys of the user's roles, the same for many users. */
const MANY_PERMISSIONS = [READ_ROLES, ...Array.from({ length: 120 }, (_, i) => `app.module-${i}.read`)];

jest.setTimeout(LOAD_BUDGET_MS + 30_000); // a real process and 70,000 requests

/**
 * Issue 11, fault 4: what a busy gateway keeps in memory is bounded, whoever calls it. Tens of
 * thousands of distinct callers go through one built gateway started as production starts it
 * (PRODUCTION_NODE_FLAGS: a 128 MB old space, 8 MB semi-spaces); its heap in use, from its own
 * /metrics, stays within the bounds, and its resident memory, read from /proc as the benchmark
 * reads it, is reported. Every token is another user's, so the rate limiter's per-caller
 * windows are measured too. Tokens are ES256, signed with the test's own key (published by a
 * JWKS server of the test): 70,000 RS256 signatures would take the test half a minute alone,
 * and the algorithm changes nothing the gateway keeps. The upstream is a stand-in answering fixed
 * bodies of the official shapes (the benchmark's roles, three of them re-homed in each caller's
 * tenant): the emulator, in this process, answered 50,000 role listings in over 90 s.
 */
describe('bounded memory under many distinct callers (issue 11)', () => {
  let upstream: Server;
  let gateway: GatewayUnderLoad;
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = 'bounded-memory-test';

  beforeAll(async () => {
    const publicJwk = { ...keys.publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
    upstream = await startStandInUpstream(publicJwk);
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    gateway = await startGatewayUnderLoad({
      FRONTEGG_API_URL: upstreamUrl,
      FRONTEGG_APP_URL: upstreamUrl,
      FRONTEGG_CLIENT_ID: CLIENT_ID,
      FRONTEGG_API_KEY: API_KEY,
      FRONTEGG_JWT_ALGORITHMS: 'ES256',
      // Every caller counted (the limiter's windows are part of what is kept), none refused.
      RATE_LIMIT_PER_MINUTE: '1000000',
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    upstream?.closeAllConnections();
    await new Promise((resolve) => upstream?.close(resolve));
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
      iss: upstreamUrl(),
      aud: CLIENT_ID,
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

  // RSS is reported against the benchmark's bound, not held to it: it sits at the bound (141-150 MB)
  // after the tokens and over it (170-180 MB) after the tenants, although the heap holds 48-64 MB:
  // V8 keeps its committed pages (about 105 MB) and native memory adds about 75 MB (docs/operations.md,
  // "Memory bounds"). What the bounds decide, the heap in use, is what is asserted.
  it(`keeps its heap under ${HEAP_BOUND_MB} MB through ${LARGE_TOKENS} distinct tokens of about 8 KB`, async () => {
    const sample = largeToken(0);
    expect(sample.length).toBeGreaterThan(LARGE_TOKEN_LENGTH - 100);
    expect(sample.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);

    const started = Date.now();
    const statuses = await gateway.load(LARGE_TOKENS, (i) => ({ path: '/v1/roles', token: largeToken(i) }));

    expect(statuses).toEqual({ 200: LARGE_TOKENS });
    const memory = gateway.memory();
    const heapMb = await gateway.heapUsedMb();
    console.info(`bounded memory: ${LARGE_TOKENS} large tokens, RSS peak ${memory.peakMb} MB (bound ${RSS_BOUND_MB}), now ${memory.nowMb} MB, heap in use ${heapMb} MB, in ${Date.now() - started} ms`);
    expect(heapMb).toBeLessThan(HEAP_BOUND_MB);
  });

  it(`keeps its heap under ${HEAP_BOUND_MB} MB through ${TENANTS} distinct tenants, each listing its roles`, async () => {
    const started = Date.now();
    const statuses = await gateway.load(TENANTS, (i) => ({ path: '/v1/roles', token: userToken(`user-${i}`, `tenant-${i}`, [READ_ROLES]) }));

    expect(statuses).toEqual({ 200: TENANTS });
    const memory = gateway.memory();
    const heapMb = await gateway.heapUsedMb();
    console.info(`bounded memory: ${TENANTS} tenants, RSS peak ${memory.peakMb} MB (bound ${RSS_BOUND_MB}), now ${memory.nowMb} MB, heap in use ${heapMb} MB, in ${Date.now() - started} ms`);
    expect(heapMb).toBeLessThan(HEAP_BOUND_MB);
  });
});

const CLIENT_ID = 'bounded-memory-client';
const API_KEY = 'bounded-memory-api-key';
const upstreamUrl = () => `http://127.0.0.1:${(upstreamServer!.address() as AddressInfo).port}`;
let upstreamServer: Server | undefined;

/**
 * The smallest upstream the test needs: the JWKS, `POST /auth/vendor`, and `GET roles/v1`
 * answering the environment-wide roles and three roles of the tenant in `frontegg-tenant-id`.
 */
async function startStandInUpstream(publicJwk: object): Promise<Server> {
  const jwks = JSON.stringify({ keys: [publicJwk] });
  const vendorToken = JSON.stringify({ token: 'bounded-memory-vendor-token', expiresIn: 3600 });
  const environmentWide = ALL_ROLES.filter((role) => role.tenantId === '');
  const perTenant = ALL_ROLES.filter((role) => role.tenantId === BENCH_TENANTS[0]);
  const server = createServer((request, response) => {
    request.resume();
    const answer = (status: number, body: string) => {
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    };
    if (request.url === '/.well-known/jwks.json') return answer(200, jwks);
    if (request.method === 'POST' && request.url === '/auth/vendor') return answer(200, vendorToken);
    if (request.method === 'GET' && request.url === '/identity/resources/roles/v1') {
      const tenantId = String(request.headers['frontegg-tenant-id']);
      const own = perTenant.map((role) => ({ ...role, id: `${role.id}-${tenantId}`, tenantId }));
      return answer(200, JSON.stringify([...environmentWide, ...own]));
    }
    answer(404, JSON.stringify({ errors: ['not found'] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstreamServer = server;
  return server;
}

const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');

interface GatewayUnderLoad {
  /** Sends `count` requests, IN_FLIGHT at a time; the answers' statuses, counted. */
  load: (count: number, request: (i: number) => { path: string; token: string }) => Promise<Record<number, number>>;
  /** Resident memory (VmRSS, MB): the highest sampled under load so far (every 200 ms, as the bench samples it), and now. */
  memory: () => { peakMb: number; nowMb: number };
  /** The V8 heap in use (MB), as the gateway's own /metrics reports it. */
  heapUsedMb: () => Promise<number>;
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
    async heapUsedMb() {
      const { body } = await pool.request({ method: 'GET', path: '/metrics' });
      const bytes = Number(/^gateway_nodejs_heap_size_used_bytes (\S+)$/m.exec(await body.text())?.[1]);
      return round(bytes / 1024 / 1024);
    },
    async stop() {
      await pool.close();
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
