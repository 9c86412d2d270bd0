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

/**
 * Answers by controller class, then handler: decorators set metadata once, when the class is
 * defined, so each route's answer is read once. The three guards of the pipeline ask on every
 * request, and reflect-metadata walks the prototype chains of both each time. By class first:
 * a handler inherited by two controllers may be public in one only. `null`: not public.
 */
const publicByClass = new WeakMap<Function, WeakMap<Function, PublicMarker | null>>();

function publicMarker(reflector: Reflector, context: ExecutionContext): PublicMarker | null {
  const controller = context.getClass();
  const handler = context.getHandler();
  let handlers = publicByClass.get(controller);
  if (!handlers) publicByClass.set(controller, (handlers = new WeakMap()));
  let marker = handlers.get(handler);
  if (marker === undefined) {
    marker = reflector.getAllAndOverride<PublicMarker | undefined>(IS_PUBLIC, [handler, controller]) ?? null;
    handlers.set(handler, marker);
  }
  return marker;
}

/** Whether the route (its handler or its controller) says `@Public()`: every guard of the pipeline asks the same. */
export function isPublicRoute(reflector: Reflector, context: ExecutionContext): boolean {
  return publicMarker(reflector, context) !== null;
}

/** Whether the route is `@Public({ rateLimitedByAddress: true })`. */
export function isRateLimitedPublicRoute(reflector: Reflector, context: ExecutionContext): boolean {
  return publicMarker(reflector, context)?.rateLimitedByAddress === true;
}
