import type { AxiosResponse } from 'axios';
import { AxiosError } from 'axios';
import { retryAfterSeconds, upstreamAnswerProblem, upstreamTransportProblem } from './upstream-errors';

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
});
