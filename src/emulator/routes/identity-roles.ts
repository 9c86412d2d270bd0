import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {
  FronteggAddRoleRequest,
  FronteggSetRolePermissionsRequest,
  FronteggUpdateRoleRequest,
} from '../../identity/frontegg-api.types';
import type { EmulatorContext } from '../context';
import {
  createRoles,
  findRoleInScope,
  rolesInScope,
  setRolePermissions,
  toRoleResponse,
  updateRole,
  type RoleScope,
} from '../roles';
import { fronteggRequestSchemas } from '../schemas/frontegg.schemas';

const ROLES_PATH = '/identity/resources/roles/v1';

interface RoleParams {
  roleId: string;
}

function scopeOf(request: FastifyRequest): RoleScope {
  const tenantId = request.headers['frontegg-tenant-id'];
  return typeof tenantId === 'string' && tenantId !== '' ? tenantId : undefined;
}

export function registerRoleRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { store } = ctx;
  const now = () => new Date().toISOString();

  app.get(ROLES_PATH, async (request) => rolesInScope(store, scopeOf(request)).map(toRoleResponse));

  app.post<{ Body: FronteggAddRoleRequest[] }>(
    ROLES_PATH,
    { schema: { body: fronteggRequestSchemas.addRoles } },
    async (request, reply) => {
      const created = createRoles(store, request.body, scopeOf(request), now());
      return reply.code(201).send(created.map(toRoleResponse));
    },
  );

  app.patch<{ Params: RoleParams; Body: FronteggUpdateRoleRequest }>(
    `${ROLES_PATH}/:roleId`,
    { schema: { body: fronteggRequestSchemas.updateRole } },
    async (request) => {
      const role = findRoleInScope(store, request.params.roleId, scopeOf(request));
      updateRole(store, role, request.body, now());
      return toRoleResponse(role);
    },
  );

  app.delete<{ Params: RoleParams }>(`${ROLES_PATH}/:roleId`, async (request, reply) => {
    const role = findRoleInScope(store, request.params.roleId, scopeOf(request));
    store.deleteRole(role.id);
    return reply.code(204).send();
  });

  app.put<{ Params: RoleParams; Body: FronteggSetRolePermissionsRequest }>(
    `${ROLES_PATH}/:roleId/permissions`,
    { schema: { body: fronteggRequestSchemas.setRolePermissions } },
    async (request) => {
      const role = findRoleInScope(store, request.params.roleId, scopeOf(request));
      setRolePermissions(store, role, request.body.permissionIds, now());
      return toRoleResponse(role);
    },
  );
}
