import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestTrace } from './request-trace';

/** The request's trace, for the services to hand to the identity client (see request-trace.ts). */
export const CurrentTrace = createParamDecorator(
  (_: unknown, context: ExecutionContext): RequestTrace => context.switchToHttp().getRequest<FastifyRequest>().trace,
);
