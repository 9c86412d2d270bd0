/** The OpenAPI security schemes of a cookie-authenticated request (CONTRACT §8): both are needed together. */
export const SESSION_COOKIE_SCHEME = 'sessionCookie';
export const CSRF_HEADER_SCHEME = 'csrfHeader';

/** One requirement (all of its schemes together): the session cookie with `X-CSRF: 1`. */
export const sessionRequirement = (): Record<string, string[]> => ({ [SESSION_COOKIE_SCHEME]: [], [CSRF_HEADER_SCHEME]: [] });
