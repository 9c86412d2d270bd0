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
        // No serialization by Keyv: each store keeps what suits it. Memory keeps the objects, so a
        // hit parses nothing (parsing on every hit took 6.7 % of a cached read's CPU, bench B
        // profile); Redis keeps native JSON (Keyv's own serializer builds each value by string
        // concatenation, a rope that took five times its length in heap).
        const keyv = new Keyv({ store, namespace: NAMESPACE, throwOnErrors: false, serialize: undefined, deserialize: undefined });
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
