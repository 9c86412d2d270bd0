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
        ...(PROBLEM_HEADERS[Number(status)] ? { headers: PROBLEM_HEADERS[Number(status)] } : {}),
      }),
    ),
  );
}

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 0 } },
};

/** Headers that belong to a kind of error answer, whichever route gives it. */
const PROBLEM_HEADERS: Record<number, Record<string, { description: string; schema: object }>> = {
  401: {
    'WWW-Authenticate': {
      description:
        'RFC 6750 challenge: `Bearer realm="api"` without a token, `error="invalid_token"` for a bad one, ' +
        '`error="insufficient_user_authentication", max_age=…` (RFC 9470) when a recent sign-in is needed',
      schema: { type: 'string' },
    },
  },
  429: RETRY_AFTER,
  503: RETRY_AFTER,
};

/** The errors any route that calls the identity API may answer (CONTRACT §6). */
export const UPSTREAM_PROBLEMS = {
  400: 'The identity API refused the call (its messages in `errors`)',
  404: 'The identity API answered 404',
  502: 'The identity API failed, could not be reached, or answered more than UPSTREAM_MAX_RESPONSE_BYTES',
  503: 'The identity API is rate limiting the gateway, or its circuit is open (see Retry-After)',
  504: 'The identity API did not answer within UPSTREAM_TIMEOUT_MS, or the request outlived REQUEST_DEADLINE_MS',
} as const;

/** What any route with a JSON body may answer before it reads it. */
export const JSON_BODY_PROBLEMS = {
  413: 'Body larger than 16 KiB',
  415: 'Body is not application/json',
} as const;

/** A route's own errors, plus those of the identity API; a status both can answer names both causes. */
export function withUpstreamProblems(own: Record<number, string> = {}): Record<number, string> {
  const merged: Record<number, string> = { ...UPSTREAM_PROBLEMS };
  for (const [status, description] of Object.entries(own)) {
    const upstream = merged[Number(status)];
    merged[Number(status)] = upstream ? `${description}; or: ${upstream.charAt(0).toLowerCase()}${upstream.slice(1)}` : description;
  }
  return merged;
}

export { ProblemDto };

/** RFC 9211: whether a cached read answered, and whether it was stale because the upstream failed. */
export const CACHE_STATUS_HEADER = {
  'Cache-Status': {
    description: 'RFC 9211, e.g. `gateway; hit; ttl=12` or `gateway; fwd=stale; fwd-status=502; detail=stale-if-error`',
    schema: { type: 'string' },
  },
};
