/**
 * The three hand-written pieces of issue 14 ("hand-written code only where it pays") against the
 * library each replaces, alone, in one process, in alternating rounds (CPU µs per operation,
 * medians over rounds): what bench/compare.ts's whole-gateway figures are too noisy to separate.
 *
 *   node bench/dist/bench/micro-libs.js        (build: npx tsc -p bench/tsconfig.json; needs dist/ from npm run build)
 *   MICRO_ONLY=parser,json,helmet,limiter (default all), MICRO_ROUNDS (default 7), MICRO_LIMIT.
 *
 *   parser    the JSON parser functions alone (D's body, and a 1.9 KB metadata body), as Fastify calls them.
 *   json      Fastify.inject of D's PATCH body into a bare Fastify route: the gateway's parser
 *             (strict UTF-8, Fastify's secure parser, depth bound) vs Fastify's own parser with
 *             onProtoPoisoning/onConstructorPoisoning 'error' (the same secure parser, read as a string).
 *   helmet    Fastify.inject of a GET: precomputed headers (reply.headers) vs helmet's middleware per request.
 *   limiter   increment() for 1,000 callers in turn, and for one caller seen 20,000 times a window
 *             (limit MICRO_LIMIT, default 600 as deployed):
 *             MemoryFixedWindowStorage vs @nestjs/throttler's ThrottlerStorageService.
 */
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { compare, injectLoop } from './micro';
import helmet from 'helmet';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';

const dist = join(__dirname, '..', '..', '..', 'dist');
const { registerJsonBodyParser } = require(join(dist, 'common/http/json-body.js')) as typeof import('../src/common/http/json-body');
const { securityHeaders } = require(join(dist, 'common/http/security-headers.js')) as typeof import('../src/common/http/security-headers');
const { MemoryFixedWindowStorage } = require(join(dist, 'common/rate-limit/memory-window-storage.js')) as typeof import('../src/common/rate-limit/memory-window-storage');


async function jsonApps(): Promise<Record<string, FastifyInstance>> {
  const hand = Fastify({ bodyLimit: 16 * 1024 });
  registerJsonBodyParser(hand, 16 * 1024);
  const library = Fastify({ bodyLimit: 16 * 1024, onProtoPoisoning: 'error', onConstructorPoisoning: 'error' });
  library.removeContentTypeParser('text/plain');
  for (const app of [hand, library]) {
    app.patch('/v1/me', async (request) => ({ ok: typeof request.body === 'object' }));
    await app.ready();
  }
  return { 'hand-written': hand, 'fastify default': library };
}

async function helmetApps(): Promise<Record<string, FastifyInstance>> {
  const headers = securityHeaders();
  const pre = Fastify();
  pre.addHook('onRequest', (_request, reply, done) => {
    reply.header('x-request-id', 'id').headers(headers.api);
    done();
  });
  // The gateway's API options, as security-headers.ts sets them (not exported).
  const middleware = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ["'none'"], 'base-uri': ["'none'"], 'form-action': ["'none'"], 'frame-ancestors': ["'none'"] } },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
    originAgentCluster: false,
  });
  const perRequest = Fastify();
  perRequest.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', 'id');
    middleware(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
  for (const app of [pre, perRequest]) {
    app.get('/v1/roles', async () => ({ roles: [] }));
    await app.ready();
  }
  const a = await pre.inject({ url: '/v1/roles' });
  const b = await perRequest.inject({ url: '/v1/roles' });
  const names = (r: typeof a) => Object.keys(r.headers).filter((h) => h !== 'date').sort().join(',');
  if (names(a) !== names(b)) throw new Error(`not the same headers: ${names(a)} / ${names(b)}`);
  return { precomputed: pre, 'helmet per request': perRequest };
}

function limiterLoop(storage: ThrottlerStorage, callers: number, limit: number): (n: number) => Promise<void> {
  const keys = Array.from({ length: callers }, (_, i) => `user:${i}`);
  return async (n) => {
    for (let i = 0; i < n; i++) await storage.increment(keys[i % callers], 60_000, limit, 0, 'per-minute');
  };
}

/** The parser functions alone, called as Fastify calls them (bytes for the gateway's, a string for Fastify's). */
function jsonParsers(body: string): Record<string, (n: number) => void> {
  type Parser = (request: unknown, payload: unknown, done: (error: Error | null, value?: unknown) => void) => void;
  const fastify = Fastify();
  let hand: Parser | undefined;
  // The gateway's parser as it registers it, caught from a stand-in for the Fastify instance.
  const catcher = {
    getDefaultJsonParser: fastify.getDefaultJsonParser.bind(fastify),
    removeAllContentTypeParsers: () => undefined,
    addContentTypeParser: (_type: string, _options: unknown, parser: Parser) => (hand = parser),
  };
  registerJsonBodyParser(catcher as unknown as FastifyInstance, 16 * 1024);
  const library = fastify.getDefaultJsonParser('error', 'error') as unknown as Parser;
  const bytes = Buffer.from(body);
  let sink: unknown;
  const done = (error: Error | null, value?: unknown) => {
    if (error) throw error;
    sink = value;
  };
  return {
    'hand-written': (n) => {
      for (let i = 0; i < n; i++) hand!({}, bytes, done);
    },
    'fastify default': (n) => {
      for (let i = 0; i < n; i++) library({}, bytes.toString('utf8'), done);
      if (sink === undefined) throw new Error('nothing parsed');
    },
  };
}

async function main(): Promise<void> {
  const only = (process.env.MICRO_ONLY ?? 'json,parser,helmet,limiter').split(',');
  const body = JSON.stringify({ name: 'Bench User 0 (renamed)' });
  if (only.includes('parser')) {
    await compare('parser', 200_000, jsonParsers(body));
    // A body of the largest kind the gateway reads: metadata with nested objects.
    const metadata = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`key${i}`, { a: [i, `value ${i} ü`], b: { c: true } }]));
    await compare('parser2k', 20_000, jsonParsers(JSON.stringify({ name: 'x', metadata })));
  }
  if (!only.includes('json')) return limiterAndHelmet(only);
  const json = await jsonApps();
  const patch = { method: 'PATCH' as const, url: '/v1/me', headers: { 'content-type': 'application/json' }, payload: body };
  await compare('json', 4000, Object.fromEntries(Object.entries(json).map(([k, app]) => [k, (n: number) => injectLoop(app, n, patch)])));
  await limiterAndHelmet(only);
}

async function limiterAndHelmet(only: string[]): Promise<void> {
  if (only.includes('helmet')) {
  const helmets = await helmetApps();
  await compare('helmet', 4000, Object.fromEntries(Object.entries(helmets).map(([k, app]) => [k, (n: number) => injectLoop(app, n, { url: '/v1/roles' })])));
  }
  if (!only.includes('limiter')) return;
  const limit = Number(process.env.MICRO_LIMIT ?? 600);
  // A fresh store per variant; its windows fill as the rounds go (1,000 callers: ≈ 280 hits each
  // by the end; one caller: 20,000 counted a round, all within one window, so at the limit
  // (MICRO_LIMIT, default 600 as deployed; the bench's gateways run with 1,000,000) at once).
  const memory = new MemoryFixedWindowStorage();
  const library = new ThrottlerStorageService();
  await compare('limiter', 20_000, { 'fixed window (LRU)': limiterLoop(memory, 1000, limit), 'throttler storage': limiterLoop(library, 1000, limit) });
  const memoryHot = new MemoryFixedWindowStorage();
  const libraryHot = new ThrottlerStorageService();
  await compare('limiter1', 20_000, { 'fixed window (LRU)': limiterLoop(memoryHot, 1, limit), 'throttler storage': limiterLoop(libraryHot, 1, limit) });
  memory.onApplicationShutdown();
  memoryHot.onApplicationShutdown();
  library.onApplicationShutdown();
  libraryHot.onApplicationShutdown();
}

void main();
