import type { PipeTransform, Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { inputValidationPipe } from './validation.pipe';

/** The arguments a request's sender writes, and so the ones validated: `@Body()`, `@Query()`, `@Param()`. */
const INPUT_ARGUMENTS: ReadonlySet<number> = new Set([RouteParamtypes.BODY, RouteParamtypes.QUERY, RouteParamtypes.PARAM]);

interface RouteArgument {
  index: number;
  data?: unknown;
  pipes?: (PipeTransform | Type<PipeTransform>)[];
}

/**
 * Binds the validation pipe to every body, query and path-parameter argument of every route of `controllers`, before
 * the routes are registered: each input is validated, whoever wrote the route, and nothing else goes through a pipe.
 *
 * Why not `APP_PIPE`: Nest runs a global pipe over every argument but `@Req()`/`@Res()`, custom decorators included
 * (`@CurrentPrincipal()`, `@CurrentTrace()`), each through four or five promises, for the pipe to hand the value back
 * unchanged (ValidationPipe does not validate custom arguments). That was most of the pipe work on a cached read,
 * which has no input to validate (issue 23; docs/performance.md).
 */
export function bindInputValidation(controllers: Iterable<Type<unknown>>): void {
  const pipe = inputValidationPipe();
  for (const controller of controllers) {
    for (const method of Object.getOwnPropertyNames(controller.prototype)) {
      const routeArguments = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) as Record<string, RouteArgument> | undefined;
      if (!routeArguments) continue;
      const bound = Object.fromEntries(
        Object.entries(routeArguments).map(([key, argument]) => {
          const pipes = argument.pipes ?? [];
          // Apps are built more than once per process (the tests): the pipe is bound once, and runs first.
          return isInput(key) && !pipes.includes(pipe) ? [key, { ...argument, pipes: [pipe, ...pipes] }] : [key, argument];
        }),
      );
      Reflect.defineMetadata(ROUTE_ARGS_METADATA, bound, controller, method);
    }
  }
}

/** Built-in arguments are keyed `${RouteParamtypes}:${index}`; custom decorators' keys do not start with a number. */
function isInput(key: string): boolean {
  return INPUT_ARGUMENTS.has(Number(key.slice(0, key.indexOf(':'))));
}
