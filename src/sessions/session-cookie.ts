import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemException } from '../common/problems/problem.exception';
import type { SessionSettings } from '../config/gateway-config';

/** 32 random bytes, base64url: what `newSessionId` makes, and all a session cookie may hold. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
/** The sign-in in progress: its `state`, bound to the browser that started it (RFC 6749 §10.12). */
const LOGIN_COOKIE = { secure: '__Host-login', plain: 'login' } as const;
const LOGIN_MAX_AGE_S = 600;

export type SessionCookie = { kind: 'none' } | { kind: 'invalid' } | { kind: 'session'; id: string };

/**
 * The session cookie, and the only way to read it: a request that carries it is cookie-authenticated,
 * so it must pass the cross-site request forgery check first (CONTRACT §8). `X-CSRF: 1` cannot be sent
 * cross-origin without a CORS preflight the gateway answers only for CORS_ORIGINS, and `Origin`, when
 * the browser sends it, must be the gateway's own or one of CORS_ORIGINS. A cookie whose value is not a
 * session id is no session (401 downstream), never an error that tells cookies apart.
 */
export class SessionCookies {
  private readonly trustedOrigins: ReadonlySet<string>;
  readonly loginCookieName: string;

  constructor(
    private readonly settings: SessionSettings,
    corsOrigins: readonly string[],
  ) {
    this.trustedOrigins = new Set([new URL(settings.publicUrl).origin, ...corsOrigins]);
    this.loginCookieName = settings.secureCookie ? LOGIN_COOKIE.secure : LOGIN_COOKIE.plain;
  }

  /** Whether the request carries the session cookie at all (before any check: for the cookie-and-Bearer refusal). */
  carriesSession(request: FastifyRequest): boolean {
    return this.cookieValue(request) !== undefined;
  }

  /** The session id of a cookie-authenticated request; throws `403 csrf` when the request may be forged. */
  read(request: FastifyRequest): SessionCookie {
    const value = this.cookieValue(request);
    if (value === undefined) return { kind: 'none' };
    this.assertSameOriginRequest(request);
    return SESSION_ID.test(value) ? { kind: 'session', id: value } : { kind: 'invalid' };
  }

  /**
   * The id of the session a sign-in replaces, read without the CSRF check: it is only ever
   * deleted (the browser that completes a sign-in gets a new id, and its old session ends).
   */
  sessionIdToReplace(request: FastifyRequest): string | undefined {
    const value = this.cookieValue(request);
    return value !== undefined && SESSION_ID.test(value) ? value : undefined;
  }

  /** The raw session cookie; the header is parsed only when it names the cookie at all. */
  private cookieValue(request: FastifyRequest): string | undefined {
    const header = request.headers.cookie;
    return header !== undefined && header.includes(this.settings.cookieName) ? parseCookie(header)[this.settings.cookieName] : undefined;
  }

  assertSameOriginRequest(request: FastifyRequest): void {
    if (request.headers['x-csrf'] !== '1') {
      throw ProblemException.forbidden('csrf', 'a request with the session cookie must carry the header X-CSRF: 1');
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !this.trustedOrigins.has(origin)) {
      throw ProblemException.forbidden('csrf', `requests from origin ${JSON.stringify(origin.slice(0, 200))} may not use the session cookie`);
    }
  }

  setSession(reply: FastifyReply, id: string): void {
    this.append(reply, this.settings.cookieName, id, this.settings.maxAgeS);
  }

  clearSession(reply: FastifyReply): void {
    this.append(reply, this.settings.cookieName, '', 0);
  }

  /** The state of the sign-in this browser started, if any. */
  loginState(request: FastifyRequest): string | undefined {
    const header = request.headers.cookie;
    return header === undefined ? undefined : parseCookie(header)[this.loginCookieName];
  }

  setLoginState(reply: FastifyReply, state: string): void {
    this.append(reply, this.loginCookieName, state, LOGIN_MAX_AGE_S);
  }

  clearLoginState(reply: FastifyReply): void {
    this.append(reply, this.loginCookieName, '', 0);
  }

  /**
   * `HttpOnly` (no script reads it), `Path=/` and no `Domain` (this host only; with `Secure`, the
   * `__Host-` prefix makes browsers enforce all three), `SameSite=Lax`: sent on top-level navigations,
   * so the IdP's redirect back to /auth/callback and links into the app keep the user signed in,
   * and never on cross-site subrequests (forms posted, fetches, images) from other sites.
   */
  private append(reply: FastifyReply, name: string, value: string, maxAgeS: number): void {
    const cookie = stringifySetCookie(name, value, {
      httpOnly: true,
      secure: this.settings.secureCookie,
      path: '/',
      sameSite: 'lax',
      maxAge: maxAgeS,
    });
    reply.header('set-cookie', cookie); // Fastify appends Set-Cookie headers, never replaces them
  }
}

// The answer to a request without a live session belongs to the port (auth/); re-exported for this module.
export { noSession } from '../auth/session-authenticator';
