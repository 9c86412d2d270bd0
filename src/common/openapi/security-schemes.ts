/**
 * The names of the OpenAPI security schemes (declared in openapi-document.ts), for the decorators
 * that state a route's requirements: kept with the document, which every credential source and
 * the authorization layer build on, not with any one of them.
 */

/** The Frontegg user access token. */
export const BEARER_SCHEME = 'bearer';

/** A cookie-authenticated request (CONTRACT §8): both schemes are needed together. */
export const SESSION_COOKIE_SCHEME = 'sessionCookie';
export const CSRF_HEADER_SCHEME = 'csrfHeader';

/** One requirement (all of its schemes together): the session cookie with `X-CSRF: 1`. */
export const sessionRequirement = (): Record<string, string[]> => ({ [SESSION_COOKIE_SCHEME]: [], [CSRF_HEADER_SCHEME]: [] });
