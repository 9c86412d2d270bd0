/**
 * Preloaded into a gateway by bench/compare.ts (`NODE_OPTIONS=--require .../switch-off.js` in a
 * variant's environment) to switch request-path features off at run time, for measuring what each
 * costs (issue 14), without a switch in the gateway itself: before main.js runs, the compiled
 * gateway's own modules are loaded from beside it and one export replaced by a no-op.
 * BENCH_OFF: comma-separated among access-log, ids, helmet, rate-limit, metrics, on-send, digest, validation.
 * A gateway with a feature off is for measuring only: it drops a header, a log line, a limit...
 */
import { dirname, join } from 'node:path';

const root = dirname(process.argv[1] ?? '');
const mod = (path: string) => require(join(root, path)) as Record<string, unknown>;
type Proto = { prototype: Record<string, unknown> };

const SWITCHES: Record<string, () => void> = {
  'access-log': () => (mod('common/logging/access-log.js').registerAccessLog = () => undefined),
  ids: () => {
    mod('common/http/request-id.js').requestIdOf = () => 'bench-request-id';
    mod('common/http/request-trace.js').traceOf = () => ({ traceId: '0af7651916cd43dd8448eb211c80319c', flags: '01', upstreamCalls: 0, upstreamMs: 0, deadlineAt: performance.now() + 10_000 });
  },
  helmet: () => (mod('common/http/security-headers.js').securityHeaders = () => ({ api: {}, docs: {} })),
  'rate-limit': () => ((mod('common/rate-limit/rate-limiter.service.js').RateLimiter as Proto).prototype.consume = () => Promise.resolve()),
  metrics: () => ((mod('metrics/metrics.service.js').Metrics as Proto).prototype.onModuleInit = () => undefined),
  'on-send': () => ((mod('health/lifecycle.service.js').Lifecycle as Proto).prototype.onModuleInit = () => undefined),
  // The token's last 43 characters (its signature's) stand in for its SHA-256: as short a key, so that the verified
  // tokens' byte bound holds as many (the whole token as the key overflowed it, and every request was verified again).
  digest: () => (mod('auth/verified-tokens.js').tokenDigest = (token: string) => token.slice(-43)),
  // Bodies, queries and path parameters go to the handler as they came (no pipe bound to them).
  validation: () => (mod('common/pipes/input-validation.js').bindInputValidation = () => undefined),
};

for (const name of (process.env.BENCH_OFF ?? '').split(',').filter(Boolean)) {
  const off = SWITCHES[name];
  if (!off) throw new Error(`BENCH_OFF: unknown feature ${name} (known: ${Object.keys(SWITCHES).join(', ')})`);
  off();
}
