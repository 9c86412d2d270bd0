import type { FastifyCorsOptions } from '@fastify/cors';

/**
 * CORS for the configured browser origins only, compared exactly (scheme, host and port). A
 * request from any other origin, or without one, gets no CORS header at all (preflights
 * included), and answers vary by Origin so that no cache hands one origin's answer to another.
 * Credentials (the session cookie) only with SESSIONS=on, and then `X-CSRF` is an allowed header:
 * its preflight is what keeps other origins from sending it.
 */
export function corsOptions(origins: readonly string[], { sessions }: { sessions: boolean }): FastifyCorsOptions {
  const allowed = new Set(origins);
  return {
    origin: (origin, decide) => decide(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id', ...(sessions ? ['x-csrf'] : [])],
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'WWW-Authenticate', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'],
    credentials: sessions,
    maxAge: 600,
  };
}
