import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context';
import { FronteggError } from '../errors';
import { PASSWORD_GRANT_TOKEN_PATH, type PasswordGrantToken } from '../schemas/control.schemas';
import { signInWithPassword } from './identity-auth';
import { basicCredentials, handleOAuthFormsAndErrors, invalidRequest, OAuthError } from './oauth-endpoint';

/**
 * The page that calls this endpoint is the gateway's Swagger UI, on another origin (its own port).
 * The emulator cannot know that origin when it starts (the gateway's port and the name a developer
 * types, localhost or 127.0.0.1, come later), so it allows any loopback origin: the emulator is a
 * development tool on this machine, and the pages allowed to read a seeded user's token are the
 * ones served from this machine, not a web site the developer happens to have open.
 */
const LOOPBACK_ORIGIN = /^https?:\/\/(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i;

function allowLoopbackOrigin(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('vary', 'Origin');
  const origin = request.headers.origin;
  if (origin && LOOPBACK_ORIGIN.test(origin)) reply.header('access-control-allow-origin', origin);
}

/**
 * The OAuth 2.0 password grant (RFC 6749 §4.3) for the gateway's docs page in local mode: Swagger
 * UI's "Authorize" posts `grant_type=password&username=<email>&password=<password>` here and sends
 * the token it gets back as `Authorization: Bearer`. The sign-in is POST
 * /identity/resources/auth/v1/user's, so the token is the one a seeded user's sign-in gives.
 * Frontegg offers no such endpoint: it lives under the emulator's controls (PASSWORD_GRANT_TOKEN_PATH),
 * unrecorded and unfaulted like them. A client id, when sent (form field or Basic), must be the
 * environment's; a client secret is not checked (Swagger UI's page is a public client).
 */
export function registerDocsSignInRoute(app: FastifyInstance, ctx: EmulatorContext): void {
  app.register(async (route) => {
    route.addHook('onRequest', async (request, reply) => allowLoopbackOrigin(request, reply));
    handleOAuthFormsAndErrors(route);

    // The browser's preflight: Swagger UI sends X-Requested-With, and Authorization for Basic.
    route.options(PASSWORD_GRANT_TOKEN_PATH, async (_request, reply) =>
      reply
        .code(204)
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', 'accept, authorization, content-type, x-requested-with')
        .header('access-control-max-age', '600')
        .send(),
    );

    route.post(PASSWORD_GRANT_TOKEN_PATH, async (request, reply): Promise<PasswordGrantToken> => {
      if (!request.headers['content-type']?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
        throw invalidRequest('the body must be application/x-www-form-urlencoded');
      }
      const { grant_type: grantType, username, password, client_id: formClientId } = request.body as Record<string, string>;
      if (grantType === undefined) throw invalidRequest('grant_type is missing');
      if (grantType !== 'password') throw new OAuthError(400, 'unsupported_grant_type', 'only the password grant is offered here');
      if (!username || password === undefined) throw invalidRequest('username and password are required');
      const clientId = formClientId || basicCredentials(request.headers.authorization)?.id;
      if (clientId && clientId !== ctx.options.clientId) throw new OAuthError(401, 'invalid_client', 'unknown client_id');

      try {
        const { token, ttlSeconds } = await signInWithPassword(ctx, username, password);
        reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
        return { access_token: token, token_type: 'Bearer', expires_in: ttlSeconds };
      } catch (error) {
        // A wrong password, a locked user, an expired membership: the grant is refused (RFC 6749 §5.2).
        if (error instanceof FronteggError && error.statusCode === 401) throw new OAuthError(400, 'invalid_grant', error.messages.join('; '));
        throw error;
      }
    });
  });
}
