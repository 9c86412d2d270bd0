import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '../common/problems/problem.exception';
import { bearerTokenOf } from './bearer-token';
import { isPublicRoute } from './decorators/public.decorator';
import { attachPrincipal } from './principal';
import { TokenRejectedError, TokenVerifier } from './token-verifier.service';

/**
 * First of the request pipeline (authentication → rate limit → authorization): establishes who is
 * calling from the one credential the gateway accepts, and nothing else. A refused credential is
 * recorded, not answered here: the rate limiter counts it against the client address, and the
 * policy guard, which lets nobody through without a verified caller, answers it. A token verified
 * just now is remembered only once the rate limiter has let its request through.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (isPublicRoute(this.reflector, context)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const credential = bearerTokenOf(request.raw);
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
}

function unauthorized(reason: TokenRejectedError['reason'], tokenSent: boolean, cause?: unknown): ProblemException {
  // RFC 6750 §3.1: no error code when the request carried no token at all.
  const challenge = tokenSent ? 'Bearer realm="api", error="invalid_token"' : 'Bearer realm="api"';
  return new ProblemException(HttpStatus.UNAUTHORIZED, reason === 'expired' ? 'token expired' : 'invalid token', {
    headers: { 'WWW-Authenticate': challenge },
    cause,
  });
}
