import { CanActivate, ExecutionContext, HttpStatus, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemException } from '../common/problems/problem.exception';
import { bearerTokenOf } from './bearer-token';
import { isPublicRoute } from './decorators/public.decorator';
import { attachPrincipal } from './principal';
import { SESSION_AUTHENTICATOR, type SessionAuthenticator } from './session-authenticator';
import { TokenRejectedError, TokenVerifier } from './token-verifier.service';

/**
 * First of the request pipeline (authentication → rate limit → authorization): establishes who is
 * calling from the one credential a request carries: a Bearer token or, with SESSIONS=on, the
 * session cookie, whose session's access token is verified the same way (never both: a request
 * with the cookie and any Authorization header is refused, rather than one of them chosen). A refused credential is
 * recorded, not answered here: the rate limiter counts it against the client address, and the
 * policy guard, which lets nobody through without a verified caller, answers it. A token verified
 * just now is remembered only once the rate limiter has let its request through.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    @Optional() @Inject(SESSION_AUTHENTICATOR) private readonly sessions?: SessionAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (isPublicRoute(this.reflector, context)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const credential = bearerTokenOf(request.raw);
    if (this.sessions?.carriesSession(request)) {
      // A cache must not store an answer to a request with Authorization (RFC 9111 §3.5), but a
      // cookie has no such protection: a CDN keyed by URL could hand one user's answer to the next.
      context.switchToHttp().getResponse<FastifyReply>().header('cache-control', 'no-store');
      // Any Authorization header beside the cookie, of any scheme or empty (CONTRACT §8).
      if (credential.kind !== 'none') request.authenticationFailure = bothCredentials();
      else await this.authenticateSession(request, this.sessions);
      return true;
    }
    if (credential.kind !== 'token') {
      request.authenticationFailure = unauthorized('invalid', credential.kind === 'invalid');
      return true;
    }
    try {
      const { principal, remember } = await this.verifier.verify(credential.token);
      attachPrincipal(request, principal);
      if (remember) request.rememberCredential = remember;
    } catch (error) {
      if (!(error instanceof TokenRejectedError)) throw error;
      request.authenticationFailure = unauthorized(error.reason, true, error);
    }
    return true;
  }

  private async authenticateSession(request: FastifyRequest, sessions: SessionAuthenticator): Promise<void> {
    try {
      const authentication = await sessions.authenticate(request);
      if (!authentication) return;
      attachPrincipal(request, authentication.principal);
      request.session = authentication.session;
      if (authentication.remember) request.rememberCredential = authentication.remember;
    } catch (error) {
      // 401 (no live session), 403 (csrf), 503 (session store not answering): answered by the policy guard.
      if (!(error instanceof ProblemException)) throw error;
      request.authenticationFailure = error;
    }
  }
}

function bothCredentials(): ProblemException {
  return new ProblemException(HttpStatus.UNAUTHORIZED, 'send either the session cookie or an Authorization header, not both', {
    headers: { 'WWW-Authenticate': 'Bearer realm="api", error="invalid_request"' },
  });
}

function unauthorized(reason: TokenRejectedError['reason'], tokenSent: boolean, cause?: unknown): ProblemException {
  // RFC 6750 §3.1: no error code when the request carried no token at all.
  const challenge = tokenSent ? 'Bearer realm="api", error="invalid_token"' : 'Bearer realm="api"';
  return new ProblemException(HttpStatus.UNAUTHORIZED, reason === 'expired' ? 'token expired' : 'invalid token', {
    headers: { 'WWW-Authenticate': challenge },
    cause,
  });
}
