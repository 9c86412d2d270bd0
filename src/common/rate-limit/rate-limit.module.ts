import { Module } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { REDIS, type SharedRedis } from '../../redis/redis.module';
import { SharedStoreHealth } from '../../redis/shared-store-health';
import { FailoverWindowStorage } from './failover-window-storage';
import { MemoryFixedWindowStorage } from './memory-window-storage';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimiter } from './rate-limiter.service';
import { RedisFixedWindowStorage } from './redis-window-storage';

/**
 * Per-caller limits, counted in the throttler's storage: in memory, or in Redis shared by every
 * instance, and in memory again, per instance, while Redis does not answer in time.
 */
@Module({
  providers: [
    RateLimiter,
    RateLimitGuard,
    {
      provide: ThrottlerStorage,
      inject: [REDIS, SharedStoreHealth],
      useFactory: (redis: SharedRedis, health: SharedStoreHealth) =>
        redis ? new FailoverWindowStorage(new RedisFixedWindowStorage(redis), new MemoryFixedWindowStorage(), health) : new MemoryFixedWindowStorage(),
    },
  ],
  exports: [RateLimitGuard],
})
export class RateLimitModule {}
