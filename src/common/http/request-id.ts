import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * The request's correlation id: the client's `X-Request-Id` when it is safe to echo and log,
 * else a new UUID. Fastify's genReqId: called once per request, and `request.id` is what the
 * answer's header, the access log and every other line use, so nothing needs remembering here
 * (a WeakMap entry per request, which the garbage collector then had to clear, did).
 */
export function requestIdOf(request: { headers: IncomingHttpHeaders }): string {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' && CLIENT_REQUEST_ID.test(sent) ? sent : randomUUID();
}
