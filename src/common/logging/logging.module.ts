import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { principalOfRawRequest } from '../../auth/principal';
import { GatewayConfig } from '../../config/gateway-config';
import { accessLogFieldsOf } from '../http/request-context';
import { requestIdOf } from '../http/request-id';

/** Paths pino must never print: credentials in and out of the gateway. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-access-token"]',
  'res.headers["set-cookie"]',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.accessToken',
  '*.refreshToken',
  '*.password',
];

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

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [GatewayConfig],
      useFactory: (config: GatewayConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          genReqId: (request: IncomingMessage) => requestIdOf(request),
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          // Who, which route, which trace, and how long the identity API took for this request.
          customProps: (request: IncomingMessage) => {
            const principal = principalOfRawRequest(request);
            const who = principal ? { userId: principal.userId, tenantId: principal.tenantId } : {};
            return { ...who, ...accessLogFieldsOf(request) };
          },
          serializers: {
            req: (request: { id: string; method: string; url: string }) => ({ id: request.id, method: request.method, url: loggedUrl(request.url) }),
          },
          customSuccessMessage: (request, reply) => `${request.method} ${loggedUrl(request.url)} ${reply.statusCode}`,
          customErrorMessage: (request, reply) => `${request.method} ${loggedUrl(request.url)} ${reply.statusCode}`,
        },
      }),
    }),
  ],
})
export class LoggingModule {}
