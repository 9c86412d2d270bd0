import { HttpStatus } from '@nestjs/common';
import { isAxiosError } from 'axios';
import { ProblemException, type ProblemOptions } from '../common/problems/problem.exception';
import { CLIENT_CLOSED_REQUEST } from '../common/http/request-trace';
import type { FronteggErrorBody } from './frontegg-api.types';

const DEFAULT_RETRY_AFTER_S = 60;

/** An upstream answer's headers, names in lower case (undici's, or axios's AxiosHeaders). */
export type UpstreamHeaders = Readonly<Record<string, unknown>> | undefined;

/** What the gateway reads of an upstream answer: an axios response or an UndiciTransport exchange's. */
export interface UpstreamResponse {
  status: number;
  data: unknown;
  headers: UpstreamHeaders;
}

/**
 * A failure of the identity API as the gateway answers it. `transient` failures (5xx, no answer,
 * timeout) say the upstream is unwell: they are retried for reads and counted by the breaker.
 * A refused credential, a redirect or an unexpected body is not transient: retrying cannot help.
 */
export class UpstreamFailure extends ProblemException {
  constructor(status: HttpStatus, detail: string, readonly transient: boolean, options: ProblemOptions = {}) {
    super(status, detail, options);
  }

  /** An attempt that got no answer within its timeout. */
  get timedOut(): boolean {
    return this.transient && this.getStatus() === HttpStatus.GATEWAY_TIMEOUT;
  }
}


/**
 * Translates an unsuccessful upstream answer into the gateway's own (CONTRACT §6). The detail
 * names the operation, never the upstream URL or credentials; the raw answer goes to the log.
 */
export function upstreamAnswerProblem(operation: string, response: UpstreamResponse): ProblemException {
  const cause = { operation, status: response.status };
  switch (response.status) {
    case 400:
    case 409: {
      const messages = messagesOf(response.data);
      return new ProblemException(response.status, messages.join('; ') || `identity API rejected ${operation}`, {
        extensions: { errors: messages.map((message) => ({ message })) },
        cause,
      });
    }
    case 404:
      return new ProblemException(HttpStatus.NOT_FOUND, 'resource not found', { cause });
    case 429:
      return new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'identity API is rate limiting; retry later', {
        headers: { 'Retry-After': String(retryAfterSeconds(response.headers)) },
        cause,
      });
    default:
      return new UpstreamFailure(HttpStatus.BAD_GATEWAY, `identity API failed during ${operation}`, response.status >= 500, { cause });
  }
}

/**
 * A call that got no usable answer: `504` when it timed out, `502` when the upstream was
 * unreachable or its answer was larger than UPSTREAM_MAX_RESPONSE_BYTES (not transient: the same
 * answer would come again).
 */
export function upstreamTransportProblem(operation: string, error: unknown): ProblemException {
  const code = isAxiosError(error) ? error.code : undefined;
  const cause = { operation, code, message: error instanceof Error ? error.message : String(error) };
  if (isResponseTooLarge(error)) {
    return new UpstreamFailure(HttpStatus.BAD_GATEWAY, `identity API answer to ${operation} was too large`, false, {
      cause: { ...cause, reason: BUDGET_REASONS.tooLarge },
    });
  }
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
    return new UpstreamFailure(HttpStatus.GATEWAY_TIMEOUT, `identity API did not answer ${operation} in time`, true, { cause });
  }
  return new UpstreamFailure(HttpStatus.BAD_GATEWAY, `identity API unreachable during ${operation}`, true, { cause });
}

/** The `cause.reason` of a problem that stopped upstream work on a budget of CONTRACT §5 (for metrics and logs). */
export const BUDGET_REASONS = { deadline: 'request deadline exceeded', tooLarge: 'answer too large', clientGone: 'client gone' } as const;
const BUDGET_OF_REASON: Record<string, 'deadline' | 'response-size' | 'client-gone'> = {
  [BUDGET_REASONS.deadline]: 'deadline',
  [BUDGET_REASONS.tooLarge]: 'response-size',
  [BUDGET_REASONS.clientGone]: 'client-gone',
};

/** Which budget stopped the work that failed with `error`, if one did. */
export function budgetExceededBy(error: unknown): 'deadline' | 'response-size' | 'client-gone' | undefined {
  const reason = error instanceof ProblemException ? (error.cause as { reason?: unknown } | undefined)?.reason : undefined;
  return typeof reason === 'string' ? BUDGET_OF_REASON[reason] : undefined;
}

/** axios's own wording for an answer over `maxContentLength`, which the undici adapter keeps. */
function isResponseTooLarge(error: unknown): boolean {
  return isAxiosError(error) && error.code === 'ERR_BAD_RESPONSE' && error.message.startsWith('maxContentLength size of');
}

/**
 * The request's REQUEST_DEADLINE_MS was spent before `operation` could finish. Not transient: it
 * says nothing of the upstream's health, so it neither opens the breaker nor is retried.
 */
export function deadlineExceededProblem(operation: string): UpstreamFailure {
  return new UpstreamFailure(HttpStatus.GATEWAY_TIMEOUT, `identity API did not answer ${operation} within the request deadline`, false, {
    cause: { operation, reason: BUDGET_REASONS.deadline },
  });
}

/** The client went away: its upstream work was cancelled (the answer reaches no one, only the access log). */
export function clientGoneProblem(operation: string): ProblemException {
  return new ProblemException(CLIENT_CLOSED_REQUEST, 'the client closed the request', { cause: { operation, reason: BUDGET_REASONS.clientGone } });
}

/** An answer whose body is not what the official schema promises. */
export function upstreamShapeProblem(operation: string): ProblemException {
  return new UpstreamFailure(HttpStatus.BAD_GATEWAY, `identity API answered ${operation} unexpectedly`, false, {
    cause: { operation, reason: 'unexpected body' },
  });
}

/** Seconds to wait: `Retry-After` (seconds or HTTP date), else Frontegg's `X-Rate-Limit-Reset` (RFC 3339). */
export function retryAfterSeconds(headers: UpstreamHeaders, now = Date.now()): number {
  const retryAfter = headerOf(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const seconds = /^\d+$/.test(retryAfter) ? Number(retryAfter) : secondsUntil(Date.parse(retryAfter), now);
    if (seconds !== undefined && Number.isFinite(seconds)) return Math.max(1, seconds);
  }
  const reset = headerOf(headers, 'x-rate-limit-reset');
  const untilReset = reset === undefined ? undefined : secondsUntil(Date.parse(reset), now);
  return untilReset ?? DEFAULT_RETRY_AFTER_S;
}

function secondsUntil(time: number, now: number): number | undefined {
  return Number.isNaN(time) ? undefined : Math.max(1, Math.ceil((time - now) / 1000));
}

function headerOf(headers: UpstreamHeaders, name: string): string | undefined {
  const value: unknown = headers?.[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function messagesOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const { errors, message } = body as FronteggErrorBody;
  const all = [...(Array.isArray(errors) ? errors : []), ...(Array.isArray(message) ? message : message ? [message] : [])];
  return all.filter((item): item is string => typeof item === 'string').map((item) => item.slice(0, 500)).slice(0, 20);
}
