import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { BEARER_SCHEME } from './auth/decorators/authenticated.decorator';
import { requestIdOf } from './common/http/request-id';
import { ProblemDto } from './common/openapi/problem.dto';
import type { GatewayConfig } from './config/gateway-config';

export const BODY_LIMIT_BYTES = 16 * 1024;

/** Builds the gateway exactly as it runs, for `main.ts` and for the end-to-end tests. */
export async function createGatewayApp(config: GatewayConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestIdOf,
    // Long enough for any valid id to reach validation (and a clear 400), short enough to bound work.
    routerOptions: { maxParamLength: 128 },
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    // The gateway reads JSON only: Nest's default form parser is not registered (see below).
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // JSON only, so any other body is a 415; `__proto__`/`constructor` keys are refused outright.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, fastify.getDefaultJsonParser('error', 'error'));

  if (config.corsOrigins.length > 0) {
    app.enableCors({ origin: config.corsOrigins, exposedHeaders: ['X-Request-Id', 'Retry-After', 'WWW-Authenticate'] });
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
