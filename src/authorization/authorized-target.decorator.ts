import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * The object the route's policy loaded through the tenant-scoped accessor and checked: a member or
 * a role already known to be in the caller's tenant. Its type is the policy's target type.
 */
export const AuthorizedTarget = createParamDecorator((_: unknown, context: ExecutionContext): unknown => {
  const authorization = context.switchToHttp().getRequest<FastifyRequest>().authorization;
  if (authorization?.target === undefined) throw new Error('AuthorizedTarget used on a route whose policy loads no target');
  return authorization.target;
});
