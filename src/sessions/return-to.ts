import { validateHeaderValue } from 'node:http';
import { ProblemException } from '../common/problems/problem.exception';

const MAX_RETURN_TO = 2048;
/**
 * In the path: a slash, backslash or control character percent-encoded, at any depth of encoding
 * (`%2F`, `%252F`, ...). A browser keeps them encoded, but the next layer that decodes the path (a
 * front end's router, a proxy normalising it, a redirect built from it) would read `/%2F%2Fevil`
 * as `//evil`: another origin.
 */
const ENCODED_SEPARATOR_OR_CONTROL = /%(?:25)*(?:2f|5c|[01][0-9a-f]|7f)/i;
/** A dot percent-encoded at any depth (`%2e`, `%252e`): a dot to whatever layer decodes it. */
const ENCODED_DOT = /%(?:25)*2e/gi;
/**
 * Printable ASCII only: what a `Location` header can carry as it is. Anything else (a letter
 * outside ASCII, U+2028, a no-break space) would make the callback's redirect unsendable.
 */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * Where the browser goes after signing in: a path on the gateway's own site, never another origin
 * (no open redirect). Refused: anything outside printable ASCII, absolute and scheme-relative URLs
 * (`//evil`, `/\evil`, which browsers read as `//evil`), backslashes anywhere, separators and
 * control characters percent-encoded in the path (or malformed percent-encoding there), a path
 * that begins with `//` once its dot segments are removed (`/..//evil`, `/%2e%2e//evil`: browsers
 * would land on the path `//evil`, which the next redirect built from it sends to another origin),
 * and anything that resolves to another origin once a browser has parsed it.
 */
export function checkedReturnTo(value: unknown, publicUrl: string): string {
  if (value === undefined || value === '') return '/';
  if (typeof value !== 'string') throw ProblemException.badRequest('returnTo must be given once');
  const refuse = () => ProblemException.badRequest('returnTo must be a relative path on this site, starting with a single /');
  if (value.length > MAX_RETURN_TO) throw ProblemException.badRequest(`returnTo must be at most ${MAX_RETURN_TO} characters`);
  if (!PRINTABLE_ASCII.test(value) || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) throw refuse();
  const path = value.split(/[?#]/, 1)[0];
  if (ENCODED_SEPARATOR_OR_CONTROL.test(path) || !decodes(path)) throw refuse();
  const base = new URL(publicUrl);
  // The WHATWG parser removes dot segments as a browser does; encoded dots count as dots.
  const resolved = new URL(path.replace(ENCODED_DOT, '.'), base);
  if (resolved.origin !== base.origin || resolved.pathname.startsWith('//')) throw refuse();
  return value;
}

/**
 * The `Location` a sign-in ends with, proven sendable before the callback stores anything: the
 * stored `returnTo` checked again (a value kept by an earlier release, or a tampered store, gets
 * the same 400 as at /auth/login) and accepted by Node as a header value. A sign-in that cannot
 * be answered with its redirect is a 400 that leaves nothing behind, never a 500 after the fact.
 */
export function sendableReturnTo(stored: unknown, publicUrl: string): string {
  const location = checkedReturnTo(stored, publicUrl);
  try {
    validateHeaderValue('location', location);
  } catch {
    throw ProblemException.badRequest('returnTo must be a relative path on this site, starting with a single /');
  }
  return location;
}

function decodes(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}
