import { HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { ProblemException } from './problem.exception';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 body. `type` is `about:blank`: the status code and `title` say what kind of problem it is. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId: string;
  [extension: string]: unknown;
}

export interface ProblemAnswer {
  body: ProblemDetails;
  headers: Record<string, string>;
}

/**
 * Maps any thrown value to the one error shape of the gateway. Nest hands Fastify's own refusals
 * (body too large, wrong content type, broken JSON) over as HttpExceptions. Unknown errors become a bare
 * `500` whose detail reveals nothing: stack traces and upstream URLs stay in the log.
 */
export function toProblem(error: unknown, requestId: string): ProblemAnswer {
  if (error instanceof ProblemException) {
    return answer(error.getStatus(), error.detail, requestId, error.headers, error.extensions);
  }
  if (error instanceof HttpException) {
    return answer(error.getStatus(), isUnknownRoute(error) ? 'no route matches this method and path' : detailOf(error), requestId);
  }
  return answer(HttpStatus.INTERNAL_SERVER_ERROR, 'internal error', requestId);
}

function answer(
  status: number,
  detail: string,
  requestId: string,
  headers: Record<string, string> = {},
  extensions: Record<string, unknown> = {},
): ProblemAnswer {
  const title = STATUS_CODES[status] ?? 'Error';
  return { body: { ...extensions, type: 'about:blank', title, status, detail, requestId }, headers };
}

/**
 * Nest's answer for a path no route matches says `Cannot GET <url>`, echoing the whole URL with its
 * query string (where a client may have put a token). The answer keeps the status, not the echo.
 */
function isUnknownRoute(error: HttpException): boolean {
  return error.getStatus() === HttpStatus.NOT_FOUND && !(error instanceof ProblemException) && /^Cannot [A-Z]+ /.test(error.message);
}

function detailOf(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : error.message;
}
