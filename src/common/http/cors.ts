import type { FastifyCorsOptions } from '@fastify/cors';

/**
 * CORS for the configured browser origins only, compared exactly (scheme, host and port). A
 * request from any other origin, or without one, gets no CORS header at all (preflights
 * included), and answers vary by Origin so that no cache hands one origin's answer to another.
 * No credentials mode: the API reads bearer tokens, never cookies.
 */
export function corsOptions(origins: readonly string[]): FastifyCorsOptions {
  const allowed = new Set(origins);
  return {
    origin: (origin, decide) => decide(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'WWW-Authenticate', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'],
    credentials: false,
    maxAge: 600,
  };
}
