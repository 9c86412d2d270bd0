import { CacheModule, type CacheModuleOptions } from '@nestjs/cache-manager';
import { Global, Logger, Module } from '@nestjs/common';
import { Keyv } from 'keyv';
import { Metrics } from '../../metrics/metrics.service';
import { REDIS, type SharedRedis } from '../../redis/redis.module';
import { RedisKeyvStore } from '../../redis/redis-keyv-store';
import { SharedStoreHealth } from '../../redis/shared-store-health';
import type { BoundedMemoryStore } from './bounded-memory-store';
import { CACHE_MEMORY_STORE, CacheStoresModule } from './cache-stores.module';
import { FailoverKeyvStore } from './failover-keyv-store';
import { ReadThroughCache } from './read-through-cache';

const NAMESPACE = 'frontegg-gateway';

/**
 * In bounded memory by default; in Redis (shared by every instance) when REDIS_URL is set, and
 * in bounded memory again, per instance, while Redis does not answer in time.
 */
@Global()
@Module({
  imports: [
    CacheModule.registerAsync({
      imports: [CacheStoresModule],
      inject: [REDIS, CACHE_MEMORY_STORE, SharedStoreHealth, Metrics],
      useFactory: (redis: SharedRedis, memory: BoundedMemoryStore, health: SharedStoreHealth, metrics: Metrics): CacheModuleOptions => {
        const store = redis ? new FailoverKeyvStore(new RedisKeyvStore(redis), memory, health) : memory;
        // Native JSON, not Keyv's default serializer: that one builds each value by string
        // concatenation, and the stored rope of a role list took five times its length in heap
        // (50,000 tenants: 77 MB held under a 16 MiB bound counted in characters).
        const keyv = new Keyv({
          store,
          namespace: NAMESPACE,
          throwOnErrors: false,
          serialize: (data) => JSON.stringify(data),
          deserialize: (text) => JSON.parse(text) as ReturnType<typeof JSON.parse>,
        });
        const logger = new Logger('SharedCache');
        keyv.on('error', (error: unknown) => {
          metrics.sharedStoreErrors.inc({ use: 'cache' });
          logger.debug({ err: error }, 'cache store failed; reading through to the upstream');
        });
        return { stores: [keyv] };
      },
    }),
  ],
  providers: [ReadThroughCache],
  exports: [CacheModule, ReadThroughCache],
})
export class SharedCacheModule {}
