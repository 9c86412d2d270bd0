import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';

/**
 * The throttler's Redis storage, used as a plain fixed window. The gateway asks for no block
 * (duration 0) and decides on the hit count alone; the Redis script cannot store a zero expiry
 * (`SET ... PX 0` is an error), so the window length stands in for it.
 */
export class RedisFixedWindowStorage extends ThrottlerStorageRedisService {
  override increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    return super.increment(key, ttl, limit, blockDuration > 0 ? blockDuration : ttl, throttlerName);
  }
}
