import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isPublicRoute, isRateLimitedPublicRoute } from '../../auth/decorators/public.decorator';
import { RateLimiter } from './rate-limiter.service';

/**
 * Second of the request pipeline: counts the request against its caller's one-minute window
 * (CONTRACT §6), the verified user, or the client address when authentication failed, so that
 * guessing tokens costs the guesser. Runs before authorization, so a flood never reaches the
 * identity API through grant resolution, and before a newly verified token is remembered, so a
 * caller over its limit cannot fill the verified-token cache.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly rateLimiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (isPublicRoute(this.reflector, context) && !isRateLimitedPublicRoute(this.reflector, context)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const caller = request.principal ? (`user:${request.principal.userId}` as const) : (`address:${request.ip}` as const);
    await this.rateLimiter.consume(caller, http.getResponse<FastifyReply>());
    // Counted and not refused: only now may a token verified for this request be remembered.
    request.rememberCredential?.();
    return true;
  }
}
