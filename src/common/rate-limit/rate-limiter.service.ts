import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { GatewayConfig } from '../../config/gateway-config';
import { Metrics } from '../../metrics/metrics.service';
import { ProblemException } from '../problems/problem.exception';

const WINDOW_MS = 60_000;

/**
 * A fixed one-minute window per caller (CONTRACT §6), counted in the throttler's storage: in
 * memory, or in Redis so that every instance shares one count, falling back to a per-instance
 * count while Redis does not answer (FailoverWindowStorage). Should the storage still fail, the
 * request is let through (fail open): an identity outage for every user would cost more than a
 * minute without limits. Each such pass is logged and counted.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);
  private storeDown = false;

  constructor(
    private readonly config: GatewayConfig,
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
    private readonly metrics: Metrics,
  ) {}

  /** Counts one request for `caller`; sets the RateLimit headers; throws `429` over the limit. */
  async consume(caller: `${'user' | 'address'}:${string}`, reply: FastifyReply): Promise<void> {
    const limit = this.config.rateLimitPerMinute;
    let record;
    try {
      record = await this.storage.increment(caller, WINDOW_MS, limit, 0, 'per-minute');
      if (this.storeDown) this.logger.log('rate-limit store reachable again: limits enforced');
      this.storeDown = false;
    } catch (error) {
      this.metrics.sharedStoreErrors.inc({ use: 'rate-limit' });
      if (!this.storeDown) this.logger.warn({ err: error }, 'rate-limit store unreachable: requests pass unlimited (fail open)');
      this.storeDown = true;
      return;
    }
    const resetSeconds = Math.max(1, Math.ceil(record.timeToExpire));
    reply.header('RateLimit-Limit', String(limit));
    reply.header('RateLimit-Remaining', String(Math.max(0, limit - record.totalHits)));
    reply.header('RateLimit-Reset', String(resetSeconds));
    if (record.totalHits > limit) {
      this.metrics.rateLimited.inc({ caller: caller.split(':')[0] });
      throw new ProblemException(HttpStatus.TOO_MANY_REQUESTS, `rate limit of ${limit} requests per minute exceeded`, {
        headers: { 'Retry-After': String(resetSeconds) },
      });
    }
  }
}
