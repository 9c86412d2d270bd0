import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context';

/** The login domain's JWKS: every published public key, current first. */
export function registerJwksRoute(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/.well-known/jwks.json', async () => ctx.keys.jwks());
}
