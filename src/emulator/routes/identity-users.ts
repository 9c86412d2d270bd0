import type { FastifyInstance } from 'fastify';
import type { FronteggUpdateUserRequest } from '../../identity/frontegg-api.types';
import type { EmulatorContext } from '../context';
import { fronteggRequestSchemas } from '../schemas/frontegg.schemas';
import { findUser, toUserDto, updateUser } from '../users';

interface UserParams {
  userId: string;
}

export function registerUserRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const { store } = ctx;

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

  // MFA enrolment is global, not per tenant; the official document answers 200 without a body.
  app.post<{ Params: UserParams }>(
    '/identity/resources/vendor-only/users/v1/:userId/mfa/unenroll',
    async (request, reply) => {
      findUser(store, request.params.userId).mfaEnrolled = false;
      return reply.code(200).send();
    },
  );
}
