import Fastify, { errorCodes, type FastifyError, type FastifyInstance } from 'fastify';
import type { EmulatorContext } from './context';
import { errorBody, FronteggError } from './errors';
import { rawPathOf, registerRecordingAndFaults } from './request-hooks';
import { registerControlRoutes } from './routes/controls';
import { registerDocsSignInRoute } from './routes/docs-sign-in';
import { registerEntitlementsRoutes } from './routes/entitlements';
import { registerHostedLoginRoutes } from './routes/hosted-login';
import { registerLoginRoute } from './routes/identity-auth';
import { registerConfigurationRoutes } from './routes/identity-configurations';
import { registerPermissionRoutes } from './routes/identity-permissions';
import { registerRoleRoutes } from './routes/identity-roles';
import { registerUserRoutes } from './routes/identity-users';
import { registerJwksRoute } from './routes/jwks';
import { registerVendorAuthRoute, requireVendorToken } from './routes/vendor-auth';
import { createAjv, describeValidationErrors } from './validation';

/**
 * JSON as Fastify parses it (safe against prototype poisoning), but an empty body is null rather than a 400.
 * An empty body of any other type is no body either: Frontegg's own Node SDK (axios) labels the empty
 * POST of MFA unenroll `application/x-www-form-urlencoded`, and the official document gives that
 * operation no body at all. A non-empty body of another type stays a 415, as Fastify answers it.
 */
function registerJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body: string, done) => {
    if (body === '') return done(null, null);
    parseJson(request, body, done);
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    if (body.length === 0) return done(null, null);
    done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(request.headers['content-type']), undefined);
  });
}

/** Every error leaves as Frontegg's `{ errors: [...] }`. */
function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | FronteggError, request, reply) => {
    if (error instanceof FronteggError) return reply.code(error.statusCode).send(errorBody(error.messages));
    if (error.validation) return reply.code(400).send(errorBody(describeValidationErrors(error.validation)));
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error(error);
    return reply.code(status).send(errorBody([status >= 500 ? 'Internal server error' : error.message]));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody([`Cannot ${request.method} ${rawPathOf(request)}`])),
  );
}

export function buildEmulatorApp(ctx: EmulatorContext): FastifyInstance {
  // forceCloseConnections: close() must not wait for a client's idle keep-alive sockets.
  const app = Fastify({ logger: ctx.options.logger, forceCloseConnections: true });
  const ajv = createAjv();
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  registerJsonBodyParser(app);
  registerErrorHandling(app);
  registerRecordingAndFaults(app, ctx);

  registerControlRoutes(app, ctx);
  registerDocsSignInRoute(app, ctx);
  registerVendorAuthRoute(app, ctx);
  registerJwksRoute(app, ctx);
  registerLoginRoute(app, ctx);
  registerHostedLoginRoutes(app, ctx);
  app.register(async (management) => {
    management.addHook('preValidation', requireVendorToken(ctx.vendorTokens));
    registerConfigurationRoutes(management, ctx);
    registerRoleRoutes(management, ctx);
    registerPermissionRoutes(management, ctx);
    registerUserRoutes(management, ctx);
    registerEntitlementsRoutes(management, ctx);
  });
  return app;
}
