/**
 * Preloaded into a gateway by bench/compare.ts (`LIB=json+helmet+throttler` in a variant's
 * environment) to run a library in place of a hand-written piece on the request path, for
 * measuring which costs less (issue 14, "hand-written code only where it pays"), without a
 * switch in the gateway itself: as switch-off.ts does, the compiled gateway's own modules are
 * loaded from beside main.js before it runs and one export replaced.
 *   json      Fastify's own JSON parser (`getDefaultJsonParser('error', 'error')`, read as a string,
 *             bodyLimit): what `new FastifyAdapter({ onProtoPoisoning: 'error',
 *             onConstructorPoisoning: 'error' })` registers. It lacks two of the gateway's checks:
 *             strict UTF-8 (Fastify decodes with replacement characters) and the depth bound.
 *   helmet    helmet's connect middleware run on every request in an onRequest hook (the gateway's
 *             options; @fastify/helmet is not installed), instead of headers computed at start.
 *   throttler @nestjs/throttler's own ThrottlerStorageService (a sliding log) instead of the
 *             fixed-window LRU store: it has no bound on callers or bytes.
 * A gateway so changed is for measuring only.
 */
import { dirname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { ThrottlerStorageService } from '@nestjs/throttler';

const root = dirname(process.argv[1] ?? '');
const mod = (path: string) => require(join(root, path)) as Record<string, unknown>;

/** The gateway's own helmet options, from its compiled security-headers.js: the library runs with exactly them. */
const { DOCUMENT_HELMET_OPTIONS, API_HELMET_OPTIONS } = mod('common/http/security-headers.js') as { DOCUMENT_HELMET_OPTIONS: HelmetOptions; API_HELMET_OPTIONS: HelmetOptions };

const VARIANTS: Record<string, () => void> = {
  json: () => {
    mod('common/http/json-body.js').registerJsonBodyParser = (fastify: FastifyInstance, bodyLimit: number) => {
      const parse = fastify.getDefaultJsonParser('error', 'error');
      fastify.removeAllContentTypeParsers();
      fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, parse);
    };
  },
  helmet: () => {
    const headers = mod('common/http/security-headers.js');
    const { DOCS_PATH, DOCS_CSP } = headers as { DOCS_PATH: RegExp; DOCS_CSP: string };
    headers.securityHeaders = () => ({ api: {}, docs: {} });
    const api = helmet(API_HELMET_OPTIONS);
    const docs = helmet({ ...DOCUMENT_HELMET_OPTIONS, contentSecurityPolicy: false });
    const accessLog = mod('common/logging/access-log.js');
    const register = accessLog.registerAccessLog as (fastify: FastifyInstance, loggers: unknown) => void;
    // registerAccessLog is called with the Fastify instance right after the gateway's onRequest hook.
    accessLog.registerAccessLog = (fastify: FastifyInstance, loggers: unknown) => {
      fastify.addHook('onRequest', (request, reply, done) => {
        const raw = reply.raw as ServerResponse;
        if (DOCS_PATH.test(request.url)) {
          docs(request.raw as IncomingMessage, raw, (error?: unknown) => {
            raw.setHeader('content-security-policy', DOCS_CSP);
            done(error as Error | undefined);
          });
        } else {
          api(request.raw as IncomingMessage, raw, (error?: unknown) => done(error as Error | undefined));
        }
      });
      register(fastify, loggers);
    };
  },
  throttler: () => {
    mod('common/rate-limit/memory-window-storage.js').MemoryFixedWindowStorage = ThrottlerStorageService;
  },
};

for (const name of (process.env.BENCH_LIB ?? '').split(',').filter(Boolean)) {
  const use = VARIANTS[name];
  if (!use) throw new Error(`BENCH_LIB: unknown variant ${name} (known: ${Object.keys(VARIANTS).join(', ')})`);
  use();
}
