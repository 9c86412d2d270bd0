import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { VendorAuthenticationRequest } from '../../identity/frontegg-api.types';
import type { EmulatorContext } from '../context';
import { FronteggError, unauthorized } from '../errors';
import { fronteggRequestSchemas } from '../schemas/frontegg.schemas';
import type { VendorTokenStore } from '../vendor-tokens';

export function registerVendorAuthRoute(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post<{ Body: VendorAuthenticationRequest }>(
    '/auth/vendor',
    { schema: { body: fronteggRequestSchemas.vendorAuthentication } },
    async (request) => {
      const { clientId, secret } = request.body;
      if (clientId !== ctx.options.clientId || secret !== ctx.options.apiKey) {
        throw new FronteggError(401, ['Invalid authentication']);
      }
      return ctx.vendorTokens.issue();
    },
  );
}

/** The vendor token, from `Authorization: Bearer` or from `x-access-token` (what the official Node SDK sends). */
function presentedVendorToken(request: FastifyRequest): string | undefined {
  const bearer = request.headers.authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  const accessToken = request.headers['x-access-token'];
  return bearer ?? (typeof accessToken === 'string' ? accessToken : undefined);
}

/** Guards the management routes; runs before body validation, as Frontegg authenticates before it validates. */
export function requireVendorToken(vendorTokens: VendorTokenStore) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = presentedVendorToken(request);
    if (!token || !vendorTokens.isValid(token)) throw unauthorized();
  };
}
