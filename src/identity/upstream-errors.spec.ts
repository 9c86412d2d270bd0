import type { AxiosResponse } from 'axios';
import { AxiosError } from 'axios';
import {
  budgetExceededBy,
  clientGoneProblem,
  deadlineExceededProblem,
  retryAfterSeconds,
  UpstreamFailure,
  upstreamAnswerProblem,
  upstreamTransportProblem,
} from './upstream-errors';

const response = (status: number, data: unknown = {}, headers: Record<string, string> = {}) =>
  ({ status, data, headers }) as unknown as AxiosResponse;

describe('upstream error mapping', () => {
  it.each([
    [404, 404],
    [400, 400],
    [409, 409],
    [429, 503],
    [401, 502],
    [403, 502],
    [500, 502],
    [503, 502],
  ])('upstream %i answers %i', (upstream, expected) => {
    expect(upstreamAnswerProblem('get user', response(upstream)).getStatus()).toBe(expected);
  });

  it("passes the upstream's 400 messages on", () => {
    const problem = upstreamAnswerProblem('update user', response(400, { errors: ['phoneNumber must match', 'name too long'] }));
    expect(problem.detail).toBe('phoneNumber must match; name too long');
  });

  it('maps timeouts to 504 and other transport failures to 502, without the URL', () => {
    const timeout = new AxiosError('timeout of 5000ms exceeded', 'ECONNABORTED');
    const refused = new AxiosError('connect ECONNREFUSED 10.0.0.1:443', 'ECONNREFUSED');
    expect(upstreamTransportProblem('get user', timeout).getStatus()).toBe(504);
    expect(upstreamTransportProblem('get user', refused).getStatus()).toBe(502);
    expect(upstreamTransportProblem('get user', refused).detail).not.toContain('10.0.0.1');
  });

  it('answers 429 as 503 with the computed Retry-After', () => {
    const problem = upstreamAnswerProblem('list roles', response(429, {}, { 'retry-after': '7' }));
    expect(problem.headers['Retry-After']).toBe('7');
  });
});

describe('retryAfterSeconds', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');

  it('prefers Retry-After, in seconds or as an HTTP date', () => {
    expect(retryAfterSeconds({ 'retry-after': '12' }, now)).toBe(12);
    expect(retryAfterSeconds({ 'retry-after': 'Sun, 22 Nov 2026 10:00:30 GMT' }, now)).toBe(30);
  });

  it("reads Frontegg's X-Rate-Limit-Reset as an RFC 3339 time", () => {
    expect(retryAfterSeconds({ 'x-rate-limit-reset': '2026-11-22T10:00:42Z' }, now)).toBe(42);
    expect(retryAfterSeconds({ 'x-rate-limit-reset': '2026-11-22T09:00:00Z' }, now)).toBe(1);
  });

  it('falls back to 60 s', () => {
    expect(retryAfterSeconds({}, now)).toBe(60);
    expect(retryAfterSeconds({ 'x-rate-limit-reset': 'soon' }, now)).toBe(60);
  });

  it('an answer over UPSTREAM_MAX_RESPONSE_BYTES is a 502, not transient, naming no URL', () => {
    const error = new AxiosError('maxContentLength size of 1048576 exceeded', AxiosError.ERR_BAD_RESPONSE);
    const problem = upstreamTransportProblem('get user', error);
    expect(problem).toBeInstanceOf(UpstreamFailure);
    expect(problem).toMatchObject({ status: 502, detail: 'identity API answer to get user was too large', transient: false });
    expect(budgetExceededBy(problem)).toBe('response-size');
  });

  it('a spent deadline is a 504 that neither opens the breaker nor is retried; a gone client a 499', () => {
    expect(deadlineExceededProblem('get user')).toMatchObject({ status: 504, transient: false, timedOut: false });
    expect(budgetExceededBy(deadlineExceededProblem('get user'))).toBe('deadline');
    expect(clientGoneProblem('get user').getStatus()).toBe(499);
    expect(budgetExceededBy(clientGoneProblem('get user'))).toBe('client-gone');
    expect(budgetExceededBy(upstreamTransportProblem('get user', new AxiosError('timeout', 'ECONNABORTED')))).toBeUndefined();
  });
});
