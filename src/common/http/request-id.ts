import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const assigned = new WeakMap<object, string>();

/**
 * The request's correlation id: the client's `X-Request-Id` when it is safe to echo and log,
 * else a new UUID. Memoised so that Fastify and the logger agree on one value.
 */
export function requestIdOf(request: { headers: IncomingHttpHeaders }): string {
  let id = assigned.get(request);
  if (id === undefined) {
    const sent = request.headers['x-request-id'];
    id = typeof sent === 'string' && CLIENT_REQUEST_ID.test(sent) ? sent : randomUUID();
    assigned.set(request, id);
  }
  return id;
}
