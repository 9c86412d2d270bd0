import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUDITED_ACTION, type AuditedAction } from '../audit/audited.decorator';
import { AuditTrail } from '../audit/audit-trail.service';
import { ProblemException } from '../common/problems/problem.exception';
import { GatewayConfig } from '../config/gateway-config';
import { RateLimiter } from '../common/rate-limit/rate-limiter.service';
import { bearerTokenOf } from './bearer-token';
import { ACCESS_RULE, type AccessRule } from './decorators/authenticated.decorator';
import { IS_PUBLIC } from './decorators/public.decorator';
import { missingPermissions } from './permissions';
import { attachPrincipal, type Principal } from './principal';
import { TokenRejectedError, TokenVerifier } from './token-verifier.service';

/**
 * The request pipeline before any handler runs, registered globally so that a route is protected
 * unless it says `@Public()`: open the audit entry of administrative routes (so that refusals
 * are recorded too), authenticate, count the caller against the rate limit, authorize.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly rateLimiter: RateLimiter,
    private readonly auditTrail: AuditTrail,
    private readonly config: GatewayConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    this.auditTrail.open(request, this.reflector.get<AuditedAction>(AUDITED_ACTION, context.getHandler()));

    const principal = await this.authenticate(request).catch(async (error: unknown) => {
      // Failed attempts count against the client address, so guessing costs the guesser.
      await this.rateLimiter.consume(`address:${request.ip}`, reply);
      throw error;
    });
    attachPrincipal(request, principal);
    await this.rateLimiter.consume(`user:${principal.userId}`, reply);
    const rule = this.reflector.getAllAndOverride<AccessRule>(ACCESS_RULE, targets) ?? {};
    authorize(principal, rule);
    if (rule.recentSignIn) requireRecentSignIn(principal, this.config.stepUpMaxAgeS);
    return true;
  }

  private async authenticate(request: FastifyRequest): Promise<Principal> {
    const credential = bearerTokenOf(request.raw);
    if (credential.kind === 'none') throw unauthorized('invalid', false);
    if (credential.kind === 'invalid') throw unauthorized('invalid', true);
    try {
      return await this.verifier.verify(credential.token);
    } catch (error) {
      if (error instanceof TokenRejectedError) throw unauthorized(error.reason, true, error);
      throw error;
    }
  }
}

/** Token type first, then the permission: the caller learns what it lacks, nothing more. */
export function authorize(principal: Principal, rule: AccessRule): void {
  if (rule.tokenTypes && !rule.tokenTypes.includes(principal.type)) {
    throw ProblemException.forbidden(`token type ${principal.type} is not allowed here`);
  }
  if (rule.permission) {
    const missing = missingPermissions(principal.permissions, [rule.permission]);
    if (missing.length > 0) throw ProblemException.forbidden(`missing permission ${missing.join(', ')}`);
  }
}

/** RFC 9470: a sign-in older than `maxAgeS` (or of unknown age) must be repeated. */
export function requireRecentSignIn(principal: Principal, maxAgeS: number, nowS = Date.now() / 1000): void {
  if (principal.authTime !== undefined && nowS - principal.authTime <= maxAgeS) return;
  throw new ProblemException(HttpStatus.UNAUTHORIZED, `this action needs a sign-in within the last ${maxAgeS} s`, {
    headers: { 'WWW-Authenticate': `Bearer realm="api", error="insufficient_user_authentication", max_age=${maxAgeS}` },
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
