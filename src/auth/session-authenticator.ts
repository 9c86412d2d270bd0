import { HttpStatus } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '../common/problems/problem.exception';
import type { Verification } from './token-verifier.service';

/**
 * The port a cookie credential source implements (browser sessions, sessions/, with SESSIONS=on):
 * authentication asks it, and the sessions module provides it. Kept here, with the guard that uses
 * it, so that authentication depends on no credential source.
 */

/**
 * The session behind a cookie-authenticated request. The sessions module adds what it keeps for
 * it (`record`) by declaration merging; authentication needs only that there is one.
 */
export interface RequestSession {
  readonly id: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the request was authenticated by the session cookie (never for a Bearer token). */
    session?: RequestSession;
  }
}

export interface SessionAuthentication extends Verification {
  readonly session: RequestSession;
}

/**
 * What the authentication guard asks of browser sessions (provided by SessionsModule only when
 * SESSIONS=on; without it, cookies are no credential at all).
 */
export interface SessionAuthenticator {
  /** Whether the request carries the session cookie, before any check. */
  carriesSession(request: FastifyRequest): boolean;
  /** The CSRF check, the session (refreshed when due), its access token verified as a Bearer token is. */
  authenticate(request: FastifyRequest): Promise<SessionAuthentication | undefined>;
  /** Refreshes the request's session token now, whatever its age (once per session, as a due refresh is). */
  renew(request: FastifyRequest): Promise<{ readonly tenantId: string }>;
}

export const SESSION_AUTHENTICATOR = Symbol('SESSION_AUTHENTICATOR');

/** The answer to a request that needs a live session and has none. */
export function noSession(): ProblemException {
  return new ProblemException(HttpStatus.UNAUTHORIZED, 'no live session: sign in at /auth/login', {
    headers: { 'WWW-Authenticate': 'Bearer realm="api"' },
  });
}
