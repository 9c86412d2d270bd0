import type { FastifyInstance } from 'fastify';
import type { AccessLineWriter } from './access-line';
import type { GatewayLoggers } from './gateway-logger';

/** Longest path written to the log: a 10 KB path is an attack, not something to keep. */
const MAX_LOGGED_PATH = 512;

/**
 * The path without its query string: a client may put a token there (the gateway ignores it, the
 * log must not keep it), and query values belong to no route of the gateway.
 */
export function loggedUrl(url: string | undefined): string {
  const raw = url ?? '';
  const query = raw.search(/[?#]/);
  const path = query < 0 ? raw : raw.slice(0, query);
  const shown = path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}...` : path;
  return query < 0 ? shown : `${shown}?[redacted]`;
}

/**
 * One line per answered request: which request, who (from the verified token), which route and
 * trace, the status, and how long the whole answer and the identity API took. Built once per
 * request, with no child logger per request (that cost more than the rest of a cached read), and
 * written by the access line's own serializer in the JSON format (access-line.ts); pino-pretty
 * writes it for a person to read in the pretty one.
 */
export function registerAccessLog(fastify: FastifyInstance, { access, accessLine }: Pick<GatewayLoggers, 'access' | 'accessLine'>): void {
  const write: AccessLineWriter = accessLine ?? (({ msg, ...fields }) => access.info(fields, msg));
  fastify.addHook('onResponse', (request, reply, done) => {
    if (access.isLevelEnabled('info')) {
      const url = loggedUrl(request.url);
      const { principal, trace } = request;
      write({
        req: { id: request.id, method: request.method, url },
        res: { statusCode: reply.statusCode },
        responseTime: Math.round(reply.elapsedTime * 10) / 10,
        userId: principal?.userId,
        tenantId: principal?.tenantId,
        route: request.routeOptions.url ?? null,
        traceId: trace?.traceId,
        upstreamCalls: trace?.upstreamCalls ?? 0,
        upstreamMs: Math.round((trace?.upstreamMs ?? 0) * 10) / 10,
        msg: `${request.method} ${url} ${reply.statusCode}`,
      });
    }
    done();
  });
}
