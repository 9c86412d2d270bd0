import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { GatewayConfig } from '../../config/gateway-config';
import { ProblemException } from '../problems/problem.exception';

const WINDOW_MS = 60_000;

/**
 * A fixed one-minute window per caller (CONTRACT §6), counted in the throttler's storage so that
 * a shared store can replace the in-memory one without touching the callers.
 */
@Injectable()
export class RateLimiter {
  constructor(
    private readonly config: GatewayConfig,
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
  ) {}

  /** Counts one request for `caller`; sets the RateLimit headers; throws `429` over the limit. */
  async consume(caller: string, reply: FastifyReply): Promise<void> {
    const limit = this.config.rateLimitPerMinute;
    const { totalHits, timeToExpire } = await this.storage.increment(caller, WINDOW_MS, limit, 0, 'per-minute');
    const resetSeconds = Math.max(1, Math.ceil(timeToExpire));
    reply.header('RateLimit-Limit', String(limit));
    reply.header('RateLimit-Remaining', String(Math.max(0, limit - totalHits)));
    reply.header('RateLimit-Reset', String(resetSeconds));
    if (totalHits > limit) {
      throw new ProblemException(HttpStatus.TOO_MANY_REQUESTS, `rate limit of ${limit} requests per minute exceeded`, {
        headers: { 'Retry-After': String(resetSeconds) },
      });
    }
  }
}
