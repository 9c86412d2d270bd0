import type { FastifyRequest } from 'fastify';
import type { Verification } from '../auth/token-verifier.service';
import type { SessionRecord } from './session-store';

/** The session behind a cookie-authenticated request, for the routes that describe or end it. */
export interface RequestSession {
  readonly id: string;
  readonly record: SessionRecord;
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
