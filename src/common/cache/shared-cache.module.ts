import { CacheModule, type CacheModuleOptions } from '@nestjs/cache-manager';
import { Global, Logger, Module } from '@nestjs/common';
import { Keyv } from 'keyv';
import { Metrics } from '../../metrics/metrics.service';
import { REDIS, type SharedRedis } from '../../redis/redis.module';
import { RedisKeyvStore } from '../../redis/redis-keyv-store';
import { ReadThroughCache } from './read-through-cache';

const NAMESPACE = 'frontegg-gateway';

/** In memory by default; in Redis (shared by every instance) when REDIS_URL is set. */
@Global()
@Module({
  imports: [
    CacheModule.registerAsync({
      inject: [REDIS, Metrics],
      useFactory: (redis: SharedRedis, metrics: Metrics): CacheModuleOptions => {
        if (!redis) return {};
        const logger = new Logger('SharedCache');
        const shared = new Keyv({ store: new RedisKeyvStore(redis), namespace: NAMESPACE, throwOnErrors: false });
        shared.on('error', (error: unknown) => {
          metrics.sharedStoreErrors.inc({ use: 'cache' });
          logger.debug({ err: error }, 'shared cache unavailable; reading through to the upstream');
        });
        return { stores: [shared] };
      },
    }),
  ],
  providers: [ReadThroughCache],
  exports: [CacheModule, ReadThroughCache],
})
export class SharedCacheModule {}
