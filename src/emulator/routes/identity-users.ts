import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FronteggUpdateUserRequest } from '../../identity/frontegg-api.types';
import type { EmulatorContext } from '../context';
import type { UserRecord } from '../model';
import { fronteggRequestSchemas } from '../schemas/frontegg.schemas';
import { findMembership, findUser, removeUserFromTenant, toUserDto, updateUser } from '../users';
import {
  changeUserRoles,
  inviteUser,
  listUsers,
  parseUserListQuery,
  switchActiveTenant,
  tenantsOfUser,
  userIdHeader,
  type CreateUserRequest,
} from '../members';

interface UserParams {
  userId: string;
}

/** `frontegg-tenant-id`: with a vendor token, the only way these routes learn the tenant. */
function tenantOf(request: FastifyRequest): string | undefined {
  const tenantId = request.headers['frontegg-tenant-id'];
  return typeof tenantId === 'string' && tenantId !== '' ? tenantId : undefined;
}

export function registerUserRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { store } = ctx;

  /**
   * A user operation the official document answers with 200 and no body (lock, unlock,
   * disable, enable, remove, MFA unenroll).
   */
  const actOnUser =
    (act: (user: UserRecord, request: FastifyRequest<{ Params: UserParams }>) => void) =>
    async (request: FastifyRequest<{ Params: UserParams }>, reply: FastifyReply) => {
      act(findUser(store, request.params.userId), request);
      return reply.code(200).send();
    };

  app.get<{ Params: UserParams }>('/identity/resources/vendor-only/users/v1/:userId', async (request) =>
    toUserDto(store, findUser(store, request.params.userId)),
  );

  app.put<{ Params: UserParams; Body: FronteggUpdateUserRequest }>(
    '/identity/resources/users/v1/:userId',
    { schema: { body: fronteggRequestSchemas.updateVendorUser } },
    async (request) => {
      const user = findUser(store, request.params.userId);
      updateUser(user, request.body);
      return toUserDto(store, user);
    },
  );

  // MFA enrolment is global, not per tenant.
  app.post<{ Params: UserParams }>(
    '/identity/resources/vendor-only/users/v1/:userId/mfa/unenroll',
    actOnUser((user) => {
      user.mfaEnrolled = false;
    }),
  );

  // Locking is global: "a locked user cannot sign in or use the system globally, regardless of account".
  app.post<{ Params: UserParams }>(
    '/identity/resources/users/v1/:userId/lock',
    actOnUser((user) => {
      user.isLocked = true;
    }),
  );

  app.post<{ Params: UserParams }>(
    '/identity/resources/users/v1/:userId/unlock',
    actOnUser((user) => {
      user.isLocked = false;
    }),
  );

  // Disabling is per tenant: the membership named by frontegg-tenant-id. The document lists
  // 200 and 201; the emulator answers 200, like the other user operations.
  app.post<{ Params: UserParams }>(
    '/identity/resources/tenants/users/v1/:userId/disable',
    actOnUser((user, request) => {
      findMembership(user, tenantOf(request)).isDisabled = true;
    }),
  );

  app.post<{ Params: UserParams }>(
    '/identity/resources/tenants/users/v1/:userId/enable',
    actOnUser((user, request) => {
      findMembership(user, tenantOf(request)).isDisabled = false;
    }),
  );

  // "Remove a user globally or from a specific account": from the tenant of frontegg-tenant-id when sent.
  app.delete<{ Params: UserParams }>(
    '/identity/resources/users/v1/:userId',
    actOnUser((user, request) => removeUserFromTenant(store, user, tenantOf(request))),
  );

  // The members operations (members.ts): list, invite, role assignment, the user's tenants and the switch.
  app.get('/identity/resources/users/v3', async (request) =>
    listUsers(store, tenantOf(request), parseUserListQuery(request.query as Record<string, unknown>)),
  );

  app.post<{ Body: CreateUserRequest }>(
    '/identity/resources/users/v2',
    { schema: { body: fronteggRequestSchemas.createUser } },
    async (request, reply) => reply.code(201).send(inviteUser(store, tenantOf(request), request.body, new Date().toISOString())),
  );

  for (const [method, assign] of [['POST', true], ['DELETE', false]] as const) {
    app.route<{ Params: UserParams; Body: { roleIds: string[] } }>({
      method,
      url: '/identity/resources/users/v1/:userId/roles',
      schema: { body: fronteggRequestSchemas.userRoles },
      handler: async (request, reply) => {
        const changed = changeUserRoles(store, findUser(store, request.params.userId), tenantOf(request), request.body.roleIds, assign);
        return reply.code(assign ? 201 : 200).send(changed);
      },
    });
  }

  app.get('/identity/resources/users/v2/me/tenants', async (request) =>
    tenantsOfUser(store, findUser(store, userIdHeader(request.headers['frontegg-user-id']))),
  );

  // The active tenant is the user's: its sign-ins and the refreshes of its hosted-login sign-ins land there.
  app.put<{ Body: { tenantId: string } }>(
    '/identity/resources/users/v1/tenant',
    { schema: { body: fronteggRequestSchemas.updateUserTenant } },
    async (request) => {
      const user = findUser(store, userIdHeader(request.headers['frontegg-user-id']));
      findMembership(user, tenantOf(request));
      switchActiveTenant(user, request.body.tenantId);
      ctx.oauthGrants.switchTenant(user.id, request.body.tenantId);
      return toUserDto(store, user);
    },
  );
}
