import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { once } from 'node:events';
import { GatewayConfig } from '../config/gateway-config';
import { REDIS, type SharedRedis } from './redis.token';
import { SharedStoreHealth } from './shared-store-health';

export { REDIS, type SharedRedis } from './redis.token';

const RECONNECT_MAX_DELAY_MS = 2_000;
const CONNECT_TIMEOUT_MS = 2_000;
const closing = new WeakSet<Redis>();

/**
 * Redis must never make a request wait: commands fail at once while the connection is down
 * (no offline queue, one try), every command (the rate-limit script, and the ready check of
 * each connection too) fails after `commandTimeoutMs` without an answer, and ioredis reconnects
 * in the background by itself. Commands that already failed are never sent again on the next
 * connection: the rate-limit script would count a request twice.
 */
export function connectRedis(url: string, logger: Logger, commandTimeoutMs: number): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: commandTimeoutMs,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, RECONNECT_MAX_DELAY_MS),
  });
  let down = false;
  const lost = (error?: Error) => {
    if (closing.has(redis)) return; // our own shutdown, not an outage
    if (!down) logger.warn({ err: error }, 'Redis connection lost: caches and rate limits per instance until it is back');
    down = true;
  };
  // A refused connection raises 'error'; a server that goes away only 'close'.
  redis.on('error', lost);
  redis.on('close', () => lost());
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
    if (!this.redis) return;
    closing.add(this.redis);
    await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [GatewayConfig],
      useFactory: async (config: GatewayConfig): Promise<SharedRedis> => {
        if (!config.redisUrl) return null;
        const redis = connectRedis(config.redisUrl, new Logger('Redis'), config.redisCommandTimeoutMs);
        // Start with the shared state when Redis is there; without it, start anyway (fail open).
        await Promise.race([once(redis, 'ready'), new Promise((resolve) => setTimeout(resolve, CONNECT_TIMEOUT_MS).unref())]).catch(() => undefined);
        return redis;
      },
    },
    RedisLifecycle,
    SharedStoreHealth,
  ],
  exports: [REDIS, SharedStoreHealth],
})
export class RedisModule {}
