import helmet from '@fastify/helmet';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { BEARER_SCHEME } from './auth/decorators/authenticated.decorator';
import { answerClientError, MAX_HEADER_BYTES } from './common/http/client-error';
import { corsOptions } from './common/http/cors';
import { registerJsonBodyParser } from './common/http/json-body';
import { answerFrameworkError, refuseUnsupportedCodings } from './common/http/request-framing';
import { requestIdOf } from './common/http/request-id';
import { runInRequestContext } from './common/http/request-context';
import { DOCS_CSP, DOCS_PATH, HELMET_OPTIONS } from './common/http/security-headers';
import { ProblemDto } from './common/openapi/problem.dto';
import type { GatewayConfig } from './config/gateway-config';

export const BODY_LIMIT_BYTES = 16 * 1024;
/** A whole request (headers and a body of at most 16 KiB) must arrive within this time. */
export const REQUEST_TIMEOUT_MS = 30_000;
const HEADERS_TIMEOUT_MS = 20_000;

/** Builds the gateway exactly as it runs, for `main.ts` and for the end-to-end tests. */
export async function createGatewayApp(config: GatewayConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestIdOf,
    // Long enough for any valid id to reach validation (and a clear 400), short enough to bound work.
    routerOptions: { maxParamLength: 128 },
    return503OnClosing: true,
    // The client address (for limits on failed sign-ins) behind TRUST_PROXY load balancers.
    trustProxy: config.trustedProxyHops > 0 ? config.trustedProxyHops : false,
    // Slow senders (a Content-Length larger than the body, headers a byte at a time) are cut off.
    requestTimeout: REQUEST_TIMEOUT_MS,
    http: { maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    // What Node's parser refuses (oversized headers, malformed requests) is answered as a problem too.
    clientErrorHandler: answerClientError,
    // ...and so is what the router refuses before any route runs (an over-long id, a malformed URL).
    frameworkErrors: answerFrameworkError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    // The gateway reads JSON only: Nest's default form parser is not registered (see below).
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  // Nest buffers its own logs until listen(); an app only initialised (the tests) would keep every
  // line in memory and never write it. From here on everything goes through pino, redacted.
  app.flushLogs();

  const fastify = app.getHttpAdapter().getInstance();
  // Every answer carries the request id; the rest of the request runs in its context: the W3C
  // trace the identity client passes on upstream, the route and upstream timings of its log line.
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    runInRequestContext(request.raw, request.routeOptions.url, done);
  });
  // JSON only, so any other body is a 415; strict UTF-8, bounded depth, `__proto__`/`constructor` keys refused.
  registerJsonBodyParser(fastify, BODY_LIMIT_BYTES);
  refuseUnsupportedCodings(fastify);
  // Security headers on every answer; Swagger UI gets the CSP it needs to run, the API a closed one.
  await app.register(helmet, HELMET_OPTIONS);
  fastify.addHook('onSend', async (request, reply) => {
    if (DOCS_PATH.test(request.url)) reply.header('content-security-policy', DOCS_CSP);
  });

  if (config.corsOrigins.length > 0) {
    app.enableCors(corsOptions(config.corsOrigins));
  }
  setUpOpenApi(app);
  return app;
}

function setUpOpenApi(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Frontegg identity gateway')
      .setDescription(
        'Backend-for-frontend for apps that sign users in with Frontegg. Send the user\'s Frontegg access token as ' +
          '`Authorization: Bearer <token>`. Errors are RFC 9457 problem details; every answer carries `X-Request-Id`.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Frontegg user access token' }, BEARER_SCHEME)
      .build(),
    { extraModels: [ProblemDto] },
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}
