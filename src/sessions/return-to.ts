import { ProblemException } from '../common/problems/problem.exception';

const MAX_RETURN_TO = 2048;
/**
 * In the path: a slash, backslash or control character percent-encoded, at any depth of encoding
 * (`%2F`, `%252F`, ...). A browser keeps them encoded, but the next layer that decodes the path (a
 * front end's router, a proxy normalising it, a redirect built from it) would read `/%2F%2Fevil`
 * as `//evil`: another origin.
 */
const ENCODED_SEPARATOR_OR_CONTROL = /%(?:25)*(?:2f|5c|[01][0-9a-f]|7f)/i;

/**
 * Where the browser goes after signing in: a path on the gateway's own site, never another origin
 * (no open redirect). Refused: absolute and scheme-relative URLs (`//evil`, `/\evil`, which browsers
 * read as `//evil`), backslashes and control characters anywhere, the same percent-encoded in the
 * path (or malformed percent-encoding there), and anything that resolves to another origin once a
 * browser has parsed it.
 */
export function checkedReturnTo(value: unknown, publicUrl: string): string {
  if (value === undefined || value === '') return '/';
  if (typeof value !== 'string') throw ProblemException.badRequest('returnTo must be given once');
  const refuse = () => ProblemException.badRequest('returnTo must be a relative path on this site, starting with a single /');
  if (value.length > MAX_RETURN_TO) throw ProblemException.badRequest(`returnTo must be at most ${MAX_RETURN_TO} characters`);
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(value)) throw refuse();
  const path = value.split(/[?#]/, 1)[0];
  if (ENCODED_SEPARATOR_OR_CONTROL.test(path) || !decodes(path)) throw refuse();
  const base = new URL(publicUrl);
  const resolved = new URL(value, base);
  if (resolved.origin !== base.origin) throw refuse();
  return value;
}

function decodes(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}
