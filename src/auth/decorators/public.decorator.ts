import { SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

export const IS_PUBLIC = 'auth:public';

/** The only way out of authentication and authorization: every route without it requires a valid token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * Answers by controller class, then handler: decorators set metadata once, when the class is
 * defined, so each route's answer is read once. The three guards of the pipeline ask on every
 * request, and reflect-metadata walks the prototype chains of both each time. By class first:
 * a handler inherited by two controllers may be public in one only.
 */
const publicByClass = new WeakMap<Function, WeakMap<Function, boolean>>();

/** Whether the route (its handler or its controller) says `@Public()`: every guard of the pipeline asks the same. */
export function isPublicRoute(reflector: Reflector, context: ExecutionContext): boolean {
  const controller = context.getClass();
  const handler = context.getHandler();
  let handlers = publicByClass.get(controller);
  if (!handlers) publicByClass.set(controller, (handlers = new WeakMap()));
  let answer = handlers.get(handler);
  if (answer === undefined) {
    answer = reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, controller]) === true;
    handlers.set(handler, answer);
  }
  return answer;
}
