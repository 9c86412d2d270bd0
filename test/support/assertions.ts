import type { Response } from 'supertest';
import { DENIAL_REASONS } from '../../src/common/problems/problem.exception';
import { PROBLEM_JSON } from './gateway';

/** A 401 exactly as CONTRACT §2 describes it. */
export function expectUnauthorized(response: Response, detail: 'invalid token' | 'token expired', tokenSent = true): void {
  expect({ status: response.status, detail: response.body.detail }).toEqual({ status: 401, detail });
  expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
  expect(response.headers['www-authenticate']).toBe(tokenSent ? 'Bearer realm="api", error="invalid_token"' : 'Bearer realm="api"');
  expectProblem(response, 401);
}

/** An RFC 9457 body with the request id of the answer. */
export function expectProblem(response: Response, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
  expect(response.body).toMatchObject({ type: 'about:blank', status, title: expect.any(String), detail: expect.any(String) });
  expect(response.body.requestId).toBe(response.headers['x-request-id']);
  // CONTRACT §3: every 403 says why, in a code frontends can branch on.
  if (status === 403) expect(DENIAL_REASONS).toContain(response.body.reason);
}

/** The clock itself, taken before any test mocks it. */
const realNow = Date.now.bind(Date);

/**
 * Moves the process clock (jose, the caches and the emulator all read Date.now). Calls add up:
 * each one starts from the clock as the previous one left it. (It used to read "the real clock"
 * from Date.now, which a second call found mocked: the mock then called itself without end, and
 * the gateway answered 500 from a stack overflow that looked like its own fault.)
 */
export function advanceClock(ms: number): void {
  const base = Date.now();
  const start = realNow();
  jest.spyOn(Date, 'now').mockImplementation(() => base + ms + (realNow() - start));
}
