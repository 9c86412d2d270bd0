import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context';
import { toPermissionResponse } from '../roles';

export function registerPermissionRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/identity/resources/permissions/v1', async () =>
    ctx.store.listPermissions().map((permission) => toPermissionResponse(ctx.store, permission)),
  );
}
