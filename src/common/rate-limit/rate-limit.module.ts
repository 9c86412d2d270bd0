import { Module } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { REDIS, type SharedRedis } from '../../redis/redis.module';
import { MemoryFixedWindowStorage } from './memory-window-storage';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimiter } from './rate-limiter.service';
import { RedisFixedWindowStorage } from './redis-window-storage';

/** Per-caller limits, counted in the throttler's storage: in memory, or in Redis shared by every instance. */
@Module({
  providers: [
    RateLimiter,
    RateLimitGuard,
    {
      provide: ThrottlerStorage,
      inject: [REDIS],
      useFactory: (redis: SharedRedis) => (redis ? new RedisFixedWindowStorage(redis) : new MemoryFixedWindowStorage()),
    },
  ],
  exports: [RateLimitGuard],
})
export class RateLimitModule {}
