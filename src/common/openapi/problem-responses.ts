import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../problems/problem-details';
import { ProblemDto } from './problem.dto';

/** Documents error answers of a route, each as `application/problem+json`. */
export function ApiProblems(responses: Record<number, string>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(responses).map(([status, description]) =>
      ApiResponse({
        status: Number(status),
        description,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' } } },
      }),
    ),
  );
}

/** The errors any route that calls the identity API may answer. */
export const UPSTREAM_PROBLEMS = {
  502: 'The identity API failed or could not be reached',
  503: 'The identity API is rate limiting the gateway (see Retry-After)',
  504: 'The identity API did not answer in time',
} as const;

export { ProblemDto };

/** RFC 9211: whether a cached read answered, and whether it was stale because the upstream failed. */
export const CACHE_STATUS_HEADER = {
  'Cache-Status': {
    description: 'RFC 9211, e.g. `gateway; hit; ttl=12` or `gateway; fwd=stale; fwd-status=502; detail=stale-if-error`',
    schema: { type: 'string' },
  },
};
