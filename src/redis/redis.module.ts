import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { GatewayConfig } from '../config/gateway-config';

/** The shared Redis connection, or null when REDIS_URL is not set (everything stays in memory). */
export const REDIS = Symbol('REDIS');
export type SharedRedis = Redis | null;

const RECONNECT_MAX_DELAY_MS = 2_000;

/**
 * Redis must never make a request wait: commands fail at once while the connection is down
 * (no offline queue, one try), and ioredis reconnects in the background by itself.
 */
export function connectRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, RECONNECT_MAX_DELAY_MS),
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) logger.warn({ err: error }, 'Redis unreachable: running without shared caches and limits until it is back');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.log('Redis reachable again');
    down = false;
  });
  return redis;
}

@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: SharedRedis) {}

  /** After the HTTP server has drained: the last requests may still use Redis. */
  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [GatewayConfig],
      useFactory: (config: GatewayConfig): SharedRedis => (config.redisUrl ? connectRedis(config.redisUrl, new Logger('Redis')) : null),
    },
    RedisLifecycle,
  ],
  exports: [REDIS],
})
export class RedisModule {}
