import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { principalOfRawRequest } from '../../auth/principal';
import { GatewayConfig } from '../../config/gateway-config';
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

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [GatewayConfig],
      useFactory: (config: GatewayConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          genReqId: (request: IncomingMessage) => requestIdOf(request),
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          customProps: (request: IncomingMessage) => {
            const principal = principalOfRawRequest(request);
            return principal ? { userId: principal.userId, tenantId: principal.tenantId } : {};
          },
          serializers: {
            req: (request: { id: string; method: string; url: string }) => ({ id: request.id, method: request.method, url: request.url }),
          },
          customSuccessMessage: (request, reply) => `${request.method} ${request.url} ${reply.statusCode}`,
          customErrorMessage: (request, reply) => `${request.method} ${request.url} ${reply.statusCode}`,
        },
      }),
    }),
  ],
})
export class LoggingModule {}
