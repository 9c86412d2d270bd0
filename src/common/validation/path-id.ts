import { ProblemException } from '../problems/problem.exception';

export const PATH_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Ids travel upstream only when they are plain ids (CONTRACT §5): else `400` before any call. */
export function assertPathId(value: unknown): asserts value is string {
  if (typeof value !== 'string' || !PATH_ID_PATTERN.test(value)) {
    throw ProblemException.badRequest(`path parameter must match ${PATH_ID_PATTERN.source}`);
  }
}
