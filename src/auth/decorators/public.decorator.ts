import { SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

export const IS_PUBLIC = 'auth:public';

export interface PublicRouteOptions {
  /**
   * Counted per client address by the rate limiter (RATE_LIMIT_PER_MINUTE): for public routes that
   * create state (a sign-in in progress) or may be guessed at. Health, metrics and docs are not.
   */
  rateLimitedByAddress?: boolean;
}

type PublicMarker = { rateLimitedByAddress: boolean };

/** The only way out of authentication and authorization: every route without it requires a valid token. */
export const Public = (options: PublicRouteOptions = {}): MethodDecorator & ClassDecorator =>
  SetMetadata(IS_PUBLIC, { rateLimitedByAddress: options.rateLimitedByAddress === true } satisfies PublicMarker);

function publicMarker(reflector: Reflector, context: ExecutionContext): PublicMarker | undefined {
  return reflector.getAllAndOverride<PublicMarker | undefined>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
}

/** Whether the route (its handler or its controller) says `@Public()`: every guard of the pipeline asks the same. */
export function isPublicRoute(reflector: Reflector, context: ExecutionContext): boolean {
  return publicMarker(reflector, context) !== undefined;
}

/** Whether the route is `@Public({ rateLimitedByAddress: true })`. */
export function isRateLimitedPublicRoute(reflector: Reflector, context: ExecutionContext): boolean {
  return publicMarker(reflector, context)?.rateLimitedByAddress === true;
}
