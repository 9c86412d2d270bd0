import type { Type } from '@nestjs/common';
import { DiscoveryService, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyServerOptions } from 'fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { answerClientError, MAX_HEADER_BYTES } from './common/http/client-error';
import { corsOptions } from './common/http/cors';
import { registerJsonBodyParser } from './common/http/json-body';
import { answerFrameworkError, refuseUnsupportedCodings } from './common/http/request-framing';
import { requestIdOf } from './common/http/request-id';
import { traceOf } from './common/http/request-trace';
import { DOCS_PATH, securityHeaders } from './common/http/security-headers';
import { registerAccessLog } from './common/logging/access-log';
import { GatewayLogger, type GatewayLoggers } from './common/logging/gateway-logger';
import { LOGGERS } from './common/logging/logging.module';
import { bindInputValidation } from './common/pipes/input-validation';
import { buildOpenApiDocument } from './common/openapi/openapi-document';
import type { GatewayConfig } from './config/gateway-config';

export const BODY_LIMIT_BYTES = 16 * 1024;
/** A whole request (headers and a body of at most 16 KiB) must arrive within this time. */
export const REQUEST_TIMEOUT_MS = 30_000;
const HEADERS_TIMEOUT_MS = 20_000;

export interface GatewayAppOptions {
  /**
   * Local mode only (set by main.ts from the in-process emulator, never from the environment): the
   * emulator's OAuth 2.0 password-grant token endpoint, so the docs page can sign a seeded user in.
   * The document then declares that flow, and /docs may call the emulator's origin (its CSP).
   */
  docsSignInTokenUrl?: string;
}

/** Builds the gateway exactly as it runs, for `main.ts` and for the end-to-end tests. */
export async function createGatewayApp(config: GatewayConfig, options: GatewayAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestIdOf,
    // Long enough for any valid id to reach validation (and a clear 400), short enough to bound work.
    routerOptions: { maxParamLength: 128 },
    return503OnClosing: true,
    // The client address (for limits on failed sign-ins) behind TRUST_PROXY load balancers.
    trustProxy: config.trustedProxyHops > 0 ? (_address: string, hop: number) => hop < config.trustedProxyHops : false,
    // Slow senders (a Content-Length larger than the body, headers a byte at a time) are cut off.
    requestTimeout: REQUEST_TIMEOUT_MS,
    http: { maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    // What Node's parser refuses (oversized headers, malformed requests) is answered as a problem too.
    clientErrorHandler: answerClientError,
    // ...and so is what the router refuses before any route runs (an over-long id, a malformed URL).
    // (Typed for HTTP/2 requests too; the gateway serves HTTP/1.1 only.)
    frameworkErrors: answerFrameworkError as FastifyServerOptions['frameworkErrors'],
    // No Nest middleware runs in the gateway: Fastify hooks do that work for less.
    skipMiddie: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    // The gateway reads JSON only: Nest's default form parser is not registered (see below).
    bodyParser: false,
  });
  // Before the routes are registered (at init): every body, query and path parameter validated, nothing else piped.
  bindInputValidation(app.get(DiscoveryService).getControllers().flatMap(({ metatype }) => (metatype ? [metatype as Type<unknown>] : [])));
  app.useLogger(app.get(GatewayLogger));
  // Nest buffers its own logs until listen(); an app only initialised (the tests) would keep every
  // line in memory and never write it. From here on everything goes through pino, redacted.
  app.flushLogs();

  const fastify = app.getHttpAdapter().getInstance();
  const signInOrigins = options.docsSignInTokenUrl ? [new URL(options.docsSignInTokenUrl).origin] : [];
  const headers = securityHeaders(undefined, undefined, signInOrigins);
  // Every answer carries the request id and helmet's security headers (Swagger UI gets the CSP it
  // needs to run, the API a closed one). The W3C trace is the one the identity client continues.
  fastify.addHook('onRequest', (request, reply, done) => {
    request.trace = traceOf(request.headers.traceparent, { deadlineMs: config.requestDeadlineMs, connection: reply.raw });
    reply.header('x-request-id', request.id).headers(DOCS_PATH.test(request.url) ? headers.docs : headers.api);
    done();
  });
  registerAccessLog(fastify, app.get<symbol, GatewayLoggers>(LOGGERS));
  // JSON only, so any other body is a 415; strict UTF-8, bounded depth, `__proto__`/`constructor` keys refused.
  registerJsonBodyParser(fastify, BODY_LIMIT_BYTES);
  refuseUnsupportedCodings(fastify);

  if (config.corsOrigins.length > 0) {
    app.enableCors(corsOptions(config.corsOrigins, { sessions: config.sessions.enabled }));
  }
  setUpOpenApi(app, config, options.docsSignInTokenUrl);
  return app;
}

/**
 * `/docs` (Swagger UI), `/docs-json` and `/docs-yaml`. In local mode the page can sign a seeded user
 * in (the emulator's password flow, its client id filled in) and keeps the token across reloads;
 * elsewhere nothing is persisted, so a real token pasted into the page is not left in the browser.
 */
function setUpOpenApi(app: NestFastifyApplication, config: GatewayConfig, localSignInTokenUrl: string | undefined): void {
  const document = buildOpenApiDocument(app, { localSignInTokenUrl });
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    ...(localSignInTokenUrl && { swaggerOptions: { persistAuthorization: true, initOAuth: { clientId: config.frontegg.clientId } } }),
  });
}
