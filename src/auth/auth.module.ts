import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerStorage } from '@nestjs/throttler';
import { MemoryFixedWindowStorage } from '../common/rate-limit/memory-window-storage';
import { RateLimiter } from '../common/rate-limit/rate-limiter.service';
import { RedisFixedWindowStorage } from '../common/rate-limit/redis-window-storage';
import { REDIS, type SharedRedis } from '../redis/redis.module';
import { AuthGuard } from './auth.guard';
import { TokenVerifier } from './token-verifier.service';

@Module({
  providers: [
    TokenVerifier,
    RateLimiter,
    {
      provide: ThrottlerStorage,
      inject: [REDIS],
      useFactory: (redis: SharedRedis) => (redis ? new RedisFixedWindowStorage(redis) : new MemoryFixedWindowStorage()),
    },
    // Global: every route is authenticated unless it is @Public().
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TokenVerifier],
})
export class AuthModule {}
