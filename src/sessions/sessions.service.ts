import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import type { Principal } from '../auth/principal';
import { TokenRejectedError, TokenVerifier, type Verification } from '../auth/token-verifier.service';
import type { SessionAuthentication, SessionAuthenticator } from '../auth/session-authenticator';
import { ProblemException } from '../common/problems/problem.exception';
import { GatewayConfig } from '../config/gateway-config';
import { Metrics } from '../metrics/metrics.service';
import { HostedLoginClient, HostedLoginError, type HostedLoginTokens } from './hosted-login.client';
import { checkedReturnTo, sendableReturnTo } from './return-to';
import { noSession, SessionCookies } from './session-cookie';
import { newSessionId, SessionStore, type SessionRecord } from './session-store';

/** How long a sign-in may take between /auth/login and /auth/callback. */
const LOGIN_TTL_MS = 10 * 60_000;
/** Refresh this long before the access token expires, at most a quarter of its lifetime. */
const REFRESH_AHEAD_MS = 60_000;
/** While another request or instance refreshes, how often the session is read again. */
const REFRESH_POLL_MS = 50;

/**
 * Browser sessions (CONTRACT §8): sign-in through the hosted login, sessions kept server-side,
 * their access token refreshed once per session however many requests and instances need it,
 * and sign-out. A cookie-authenticated request ends up with the same verified principal as a
 * Bearer one: the session's access token goes through the same TokenVerifier.
 */
@Injectable()
export class SessionsService implements SessionAuthenticator {
  private readonly logger = new Logger('Sessions');
  /**
   * Refreshes under way in this process, by session: one per session, joined by every request that
   * needs it. Bounded by the sessions refreshing at one moment, each for at most the refresh lock's time.
   */
  private readonly refreshing = new Map<string, Promise<SessionRecord>>();
  private readonly idleTimeoutMs: number;

  constructor(
    private readonly config: GatewayConfig,
    private readonly cookies: SessionCookies,
    private readonly store: SessionStore,
    private readonly hostedLogin: HostedLoginClient,
    private readonly verifier: TokenVerifier,
    private readonly metrics: Metrics,
  ) {
    this.idleTimeoutMs = config.sessions.idleTimeoutS * 1000;
  }

  /** Whether the request carries the session cookie (checked before anything else: cookie and Bearer together are refused). */
  carriesSession(request: FastifyRequest): boolean {
    return this.cookies.carriesSession(request);
  }

  /** Starts a sign-in: the state bound to this browser, PKCE and nonce kept server-side. */
  async beginLogin(returnTo: unknown, reply: FastifyReply): Promise<string> {
    const target = checkedReturnTo(returnTo, this.config.sessions.publicUrl);
    const checks = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
    const authorizationUrl = await this.upstream(() => this.hostedLogin.authorizationUrl(checks));
    await this.store.putLogin(checks.state, { codeVerifier: checks.codeVerifier, nonce: checks.nonce, returnTo: target }, LOGIN_TTL_MS);
    this.cookies.setLoginState(reply, checks.state);
    return authorizationUrl.href;
  }

  /**
   * Completes a sign-in: the state must be the one this browser started (its login cookie) and
   * unused; the code is exchanged and the tokens verified; a new session id is issued (the old
   * session, if any, is ended: no fixation). Answers where the browser goes next.
   */
  async completeLogin(request: FastifyRequest, reply: FastifyReply): Promise<string> {
    const callbackUrl = new URL(request.url, this.config.sessions.publicUrl);
    const state = callbackUrl.searchParams.get('state');
    const boundState = this.cookies.loginState(request);
    this.cookies.clearLoginState(reply);
    if (!state || state !== boundState) throw ProblemException.badRequest('this sign-in was not started by this browser, or it already ended: start again at /auth/login');
    const pending = await this.store.takeLogin(state);
    if (!pending) throw ProblemException.badRequest('unknown, expired or used sign-in state: start again at /auth/login');

    const tokens = await this.upstream(() => this.hostedLogin.redeemCode(callbackUrl, { state, nonce: pending.nonce, codeVerifier: pending.codeVerifier }), 'bad-request');
    const { principal } = await this.verified(tokens.accessToken, HttpStatus.BAD_GATEWAY);
    // Nothing is stored until the answer can be sent: every part of it that could fail is settled
    // above this line, and only the store writes and the cookie (an id we drew) come after.
    const location = sendableReturnTo(pending.returnTo, this.config.sessions.publicUrl);

    const previous = this.cookies.sessionIdToReplace(request);
    if (previous) await this.store.remove(previous);
    const now = Date.now();
    const id = newSessionId();
    const record: SessionRecord = { ...this.fromTokens(tokens, principal), createdAt: now, absoluteExpiresAt: now + this.config.sessions.maxAgeS * 1000 };
    await this.store.create(id, record, this.idleTimeoutMs);
    this.cookies.setSession(reply, id);
    this.logger.log({ userId: principal.userId, tenantId: principal.tenantId, requestId: request.id }, 'session started');
    this.metrics.sessionEvents.inc({ event: 'started' });
    return location;
  }

  /**
   * Authenticates a request by its session cookie: the CSRF check, the session (refreshed when
   * its access token is about to expire), and the access token verified as a Bearer token is.
   * Undefined when the request carries no session cookie.
   */
  async authenticate(request: FastifyRequest): Promise<SessionAuthentication | undefined> {
    const cookie = this.cookies.read(request);
    if (cookie.kind === 'none') return undefined;
    if (cookie.kind === 'invalid') throw noSession();
    const record = await this.currentRecord(cookie.id, request.trace?.deadlineAt);
    const verification = await this.verified(record.accessToken, HttpStatus.UNAUTHORIZED);
    if (verification.principal.userId !== record.userId) {
      await this.store.remove(cookie.id);
      throw noSession();
    }
    return { ...verification, session: { id: cookie.id, record } };
  }

  /** When the session ends if it stays idle (never after its absolute end). */
  expiresAt(record: SessionRecord, now = Date.now()): Date {
    return new Date(Math.min(now + this.idleTimeoutMs, record.absoluteExpiresAt));
  }

  /**
   * Ends the session on every instance (it is deleted from the store), clears the cookie, and
   * answers the provider's end-session URL for the browser to visit. Also without a live session:
   * the provider's own session may outlive ours, and the user asked to be signed out.
   */
  async logout(request: FastifyRequest, reply: FastifyReply): Promise<string> {
    const cookie = this.cookies.read(request);
    let idToken: string | undefined;
    if (cookie.kind === 'session') {
      idToken = (await this.store.peek(cookie.id))?.idToken;
      await this.store.remove(cookie.id);
      this.logger.log({ requestId: request.id }, 'session ended by logout');
      this.metrics.sessionEvents.inc({ event: 'logged_out' });
    }
    this.cookies.clearSession(reply);
    return this.hostedLogin.logoutUrl(idToken);
  }

  /** `deadlineAt` is a `performance.now()` time, like the request's own (request-trace.ts). */
  private async currentRecord(id: string, deadlineAt = performance.now() + this.config.requestDeadlineMs): Promise<SessionRecord> {
    const record = await this.store.read(id, this.idleTimeoutMs);
    if (!record) throw noSession();
    if (!needsRefresh(record)) return record;
    const refresh = this.sharedRefresh(id, record, deadlineAt);
    const validForMs = record.accessExpiresAt - Date.now();
    if (validForMs <= 0) return refresh;
    // The token is still valid: the request waits for the refresh (a refusal is then its 401) for at
    // most half the time the token has left, so a slow provider never holds it until the token has
    // expired (a 502); then it goes on with the current token, and the refresh goes on behind it.
    refresh.catch((error: unknown) => {
      if (!(error instanceof ProblemException)) this.logger.warn({ err: error }, 'session refresh failed');
    });
    let timer: NodeJS.Timeout | undefined;
    const stillValid = new Promise<SessionRecord>((resolve) => (timer = setTimeout(resolve, validForMs / 2, record)));
    return Promise.race([refresh, stillValid]).finally(() => clearTimeout(timer));
  }

  /**
   * Refreshes the session's token now, whatever its age: its active tenant changed upstream, and
   * the token still names the old one. Marked due in the store first, so that every instance's next
   * request refreshes too should this one not get the lock; then the one shared refresh.
   */
  async renew(request: FastifyRequest): Promise<SessionRecord> {
    const id = request.session?.id;
    const record = id === undefined ? undefined : await this.store.peek(id);
    if (id === undefined || !record) throw noSession();
    const due: SessionRecord = { ...record, refreshDue: true };
    if (!(await this.store.update(id, due))) throw noSession();
    return this.sharedRefresh(id, due, request.trace?.deadlineAt ?? performance.now() + this.config.requestDeadlineMs);
  }

  /** The session's one refresh in this process: concurrent requests share it. */
  private sharedRefresh(id: string, record: SessionRecord, deadlineAt: number): Promise<SessionRecord> {
    let refresh = this.refreshing.get(id);
    if (!refresh) {
      refresh = this.refreshOnce(id, record, deadlineAt).finally(() => this.refreshing.delete(id));
      this.refreshing.set(id, refresh);
    }
    return refresh;
  }

  /**
   * One refresh per session across instances: whoever takes the lock refreshes; the others use
   * the current token while it is still valid, or wait (polling the store, within the request's
   * deadline) for the new one, and take the lock themselves when it is freed without a new token
   * (the refresh failed, or its instance stopped): they are never held until the deadline for a
   * refresh that is over. A refresh token is used once: the provider rotates it.
   */
  private async refreshOnce(id: string, record: SessionRecord, deadlineAt: number): Promise<SessionRecord> {
    const lockTtlMs = 2 * this.config.upstreamTimeoutMs + 1000;
    let seen = record;
    for (;;) {
      const lock = await this.store.lockRefresh(id, lockTtlMs);
      if (lock) return this.refreshLocked(id, lock);
      if (seen.accessExpiresAt > Date.now()) return seen;
      if (performance.now() + REFRESH_POLL_MS >= deadlineAt) {
        throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'the session is being refreshed: try again', { headers: { 'Retry-After': '1' } });
      }
      await new Promise((resolve) => setTimeout(resolve, REFRESH_POLL_MS));
      const latest = await this.store.peek(id);
      if (!latest) throw noSession();
      if (latest.accessToken !== seen.accessToken) return latest;
      seen = latest;
    }
  }

  /** The refresh itself, under the lock `lock`. */
  private async refreshLocked(id: string, lock: string): Promise<SessionRecord> {
    try {
      // Another instance may have refreshed between our read and our lock.
      const latest = await this.store.peek(id);
      if (!latest) throw noSession();
      if (!needsRefresh(latest)) return latest;
      if (!latest.refreshToken) return this.stillValidOrEnd(id, latest, 'no refresh token');
      let tokens: HostedLoginTokens;
      try {
        tokens = await this.hostedLogin.refresh(latest.refreshToken);
      } catch (error) {
        if (!(error instanceof HostedLoginError)) throw error;
        this.metrics.sessionEvents.inc({ event: error.kind === 'refused' ? 'refresh_refused' : 'refresh_unavailable' });
        if (error.kind === 'refused') {
          await this.store.remove(id);
          this.logger.log({ reason: error.message }, 'session ended: the provider refused its refresh token');
          throw noSession();
        }
        // The provider did not answer: the session goes on while its token is valid.
        if (latest.accessExpiresAt > Date.now()) return latest;
        throw upstreamProblem(error);
      }
      const { principal } = await this.verified(tokens.accessToken, HttpStatus.UNAUTHORIZED);
      if (principal.userId !== latest.userId) {
        // A session belongs to the user who signed in: a refresh never turns it into someone else's.
        await this.store.remove(id);
        this.logger.warn({ reason: 'the refreshed token is another user\'s' }, 'session ended: refresh answered another user');
        throw noSession();
      }
      const refreshed: SessionRecord = { ...latest, ...this.fromTokens(tokens, principal), refreshDue: undefined, refreshToken: tokens.refreshToken ?? latest.refreshToken, idToken: tokens.idToken ?? latest.idToken };
      if (!(await this.store.update(id, refreshed))) throw noSession();
      this.metrics.sessionEvents.inc({ event: 'refreshed' });
      return refreshed;
    } finally {
      await this.store.unlockRefresh(id, lock).catch(() => undefined); // it expires by itself
    }
  }

  private async stillValidOrEnd(id: string, record: SessionRecord, why: string): Promise<SessionRecord> {
    if (record.accessExpiresAt > Date.now()) return record;
    await this.store.remove(id);
    this.logger.log({ reason: why }, 'session ended: its access token expired');
    throw noSession();
  }

  private fromTokens(tokens: HostedLoginTokens, principal: Principal) {
    return {
      userId: principal.userId,
      tenantId: principal.tenantId,
      email: tokens.email ?? principal.email,
      name: tokens.name,
      accessToken: tokens.accessToken,
      accessIssuedAt: Date.now(),
      accessExpiresAt: tokens.accessExpiresAt,
      refreshToken: tokens.refreshToken,
      idToken: tokens.idToken,
    };
  }

  private async verified(accessToken: string, status: HttpStatus): Promise<Verification> {
    try {
      return await this.verifier.verify(accessToken);
    } catch (error) {
      if (!(error instanceof TokenRejectedError)) throw error;
      if (status === HttpStatus.UNAUTHORIZED) throw noSession();
      throw new ProblemException(status, "the identity provider's access token was refused by this gateway's token checks", { cause: error });
    }
  }

  /** A hosted-login failure as a 502; a refusal as a 400 where it is the browser's to retry (a used or declined code). */
  private async upstream<T>(operation: () => Promise<T>, refusal: 'bad-request' | 'bad-gateway' = 'bad-gateway'): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof HostedLoginError) {
        if (error.kind === 'refused' && refusal === 'bad-request') throw ProblemException.badRequest(`${error.message}: start again at /auth/login`);
        throw upstreamProblem(error);
      }
      throw error;
    }
  }
}

function needsRefresh(record: SessionRecord, now = Date.now()): boolean {
  if (record.refreshDue) return true;
  const lifetime = record.accessExpiresAt - record.accessIssuedAt;
  return record.accessExpiresAt - now <= Math.min(REFRESH_AHEAD_MS, lifetime / 4);
}

function upstreamProblem(error: HostedLoginError): ProblemException {
  return new ProblemException(HttpStatus.BAD_GATEWAY, `the hosted login ${error.kind === 'refused' ? 'refused the request' : 'did not answer usefully'}`, { cause: error });
}
