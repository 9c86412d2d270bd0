import { ProblemException } from '../common/problems/problem.exception';

const MAX_RETURN_TO = 2048;

/**
 * Where the browser goes after signing in: a path on the gateway's own site, never another origin
 * (no open redirect). Refused: absolute and scheme-relative URLs (`//evil`, `/\evil`, which browsers
 * read as `//evil`), backslashes and control characters anywhere, and anything that resolves to another
 * origin once a browser has parsed it.
 */
export function checkedReturnTo(value: unknown, publicUrl: string): string {
  if (value === undefined || value === '') return '/';
  if (typeof value !== 'string') throw ProblemException.badRequest('returnTo must be given once');
  const refuse = () => ProblemException.badRequest('returnTo must be a relative path on this site, starting with a single /');
  if (value.length > MAX_RETURN_TO) throw ProblemException.badRequest(`returnTo must be at most ${MAX_RETURN_TO} characters`);
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(value)) throw refuse();
  const base = new URL(publicUrl);
  const resolved = new URL(value, base);
  if (resolved.origin !== base.origin) throw refuse();
  return value;
}
