/**
 * Issue 23, "Cached reads": what serializing a cached answer once per cache entry (src/common/http/cached-json.ts)
 * saves a request, against serializing it again for every request as Fastify does for a returned object
 * (no response schema on the route: JSON.stringify). CPU µs per request, medians over alternating rounds,
 * as bench/micro-libs.ts measures.
 *
 *   node bench/dist/bench/micro-cached-reads.js   (build: npx tsc -p bench/tsconfig.json; needs dist/ from npm run build)
 *   MICRO_ONLY=json,route,gateway (default all), MICRO_ROUNDS (default 7).
 *
 *   json      the body alone: JSON.stringify of a tenant's roles (bench/fixtures.ts) and of the permission
 *             catalogue, per request, vs the memo read on a hit.
 *   route     Fastify.inject of GET /v1/roles on a bare Fastify route that answers the cached roles (the
 *             same array on every hit, as the memory store gives it): returned as an object (before) vs
 *             through cachedJsonReply (after). Same bytes and headers checked first.
 *   gateway   Fastify.inject of GET /v1/roles and of GET /v1/permissions into the whole gateway built in
 *             dist/ (cache hits, the emulator as upstream), and into an earlier build when MICRO_BEFORE_DIST
 *             names one (a dist/ that finds node_modules: a baseline checkout's, or a copy made before the
 *             change, `cp -r dist bench/dist/dist-before`), both in one process, in alternating rounds.
 */
import { deepStrictEqual } from 'node:assert';
import { join, resolve } from 'node:path';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { compare, injectLoop } from './micro';
import { PERMISSIONS, expectedRolesAnswer } from './fixtures';

const dist = join(__dirname, '..', '..', '..', 'dist');

const CACHE_STATUS = 'gateway; hit; ttl=29';


function cachedJson(): typeof import('../src/common/http/cached-json') {
  return require(join(dist, 'common/http/cached-json.js')) as typeof import('../src/common/http/cached-json');
}

/** The permission catalogue as GET /v1/permissions answers it. */
function permissionsAnswer(): object[] {
  return PERMISSIONS.map(({ id, key, name, description, categoryId }) => ({ id, key, name, description: description ?? null, categoryId: categoryId ?? null }));
}

function bodies(): Record<string, object[]> {
  return { roles: expectedRolesAnswer('tenant-acme'), perms: permissionsAnswer() };
}

async function jsonAlone(): Promise<void> {
  const { serializedOnce } = cachedJson();
  for (const [name, value] of Object.entries(bodies())) {
    if (serializedOnce(value) !== JSON.stringify(value)) throw new Error(`${name}: not the same text`);
    let length = 0;
    console.log(`${name}: ${JSON.stringify(value).length} bytes, ${value.length} entries`);
    await compare(name, 200_000, {
      'JSON.stringify (before)': (n) => {
        for (let i = 0; i < n; i++) length += JSON.stringify(value).length;
      },
      'memo hit (after)': (n) => {
        for (let i = 0; i < n; i++) length += serializedOnce(value).length;
      },
    }, { digits: 3 });
    if (length === 0) throw new Error('nothing serialized');
  }
}

async function routeApps(): Promise<Record<string, FastifyInstance>> {
  const { cachedJsonReply } = cachedJson();
  const cached = expectedRolesAnswer('tenant-acme');
  const before = Fastify();
  before.get('/v1/roles', async (_request, reply) => {
    reply.header('Cache-Status', CACHE_STATUS);
    return cached;
  });
  const after = Fastify();
  after.get('/v1/roles', async (_request, reply) => cachedJsonReply(reply, { value: cached, cacheStatus: CACHE_STATUS }));
  for (const app of [before, after]) await app.ready();
  const answer = async (app: FastifyInstance) => {
    const { headers, body } = await app.inject({ url: '/v1/roles' });
    return { headers: Object.entries(headers).filter(([name]) => name !== 'date'), body };
  };
  deepStrictEqual(await answer(after), await answer(before));
  return { 'object (before)': before, 'cachedJsonReply (after)': after };
}

/** The whole gateway built in `dist` against the in-process emulator, answering `path` from its cache. */
async function gatewayRoute(dist: string, path: string): Promise<(n: number) => Promise<void>> {
  const { createGatewayApp } = require(join(dist, 'app.factory.js')) as typeof import('../src/app.factory');
  const { loadGatewayConfig } = require(join(dist, 'config/gateway-config.js')) as typeof import('../src/config/gateway-config');
  const { startEmulator, EmulatorControlClient, USER_BOB } = require(join(dist, 'emulator/index.js')) as typeof import('../src/emulator');
  const emulator = await startEmulator();
  const config = loadGatewayConfig({
    ...emulator.gatewayEnvironment,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000',
    ROLES_CACHE_TTL_S: '3600',
  });
  const app = await createGatewayApp(config);
  await app.init();
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.ready();
  const token = await new EmulatorControlClient(emulator.url).mintToken({ userId: USER_BOB });
  const request: InjectOptions = { url: path, headers: { authorization: `Bearer ${token}` } };
  const first = await fastify.inject(request);
  if (first.statusCode !== 200) throw new Error(`${first.statusCode} ${first.body}`);
  console.log(`gateway from ${dist}, ${path}: ${first.body.length} bytes, ${first.headers['content-type']}, ${first.headers['cache-status']}`);
  return (n) => injectLoop(fastify, n, request);
}

async function main(): Promise<void> {
  const only = (process.env.MICRO_ONLY ?? 'json,route,gateway').split(',');
  if (only.includes('json')) await jsonAlone();
  if (only.includes('route')) {
    const apps = await routeApps();
    await compare('route', 10_000, Object.fromEntries(Object.entries(apps).map(([k, app]) => [k, (n: number) => injectLoop(app, n, { url: '/v1/roles' })])));
  }
  if (only.includes('gateway')) {
    const before = process.env.MICRO_BEFORE_DIST;
    for (const [name, path] of [['roles', '/v1/roles'], ['perms', '/v1/permissions']]) {
      const gateways = { ...(before && { 'before (MICRO_BEFORE_DIST)': await gatewayRoute(resolve(before), path) }), 'dist/': await gatewayRoute(dist, path) };
      await compare(`gw ${name}`, 5_000, gateways);
    }
  }
  process.exit(0);
}

void main();
