import EventEmitter from 'node:events';
import type Redis from 'ioredis';
import type { KeyvStoreAdapter, StoredData } from 'keyv';

/**
 * Keyv storage on the gateway's ioredis connection, so the cache shares the one Redis client
 * (and its fail-fast, self-reconnecting behaviour) with the rate limiter. Keyv hands over its
 * entries unserialized: they are stored as JSON; `ttl` is in milliseconds.
 */
export class RedisKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  opts = { dialect: 'redis' };
  namespace?: string;

  constructor(private readonly redis: Redis) {
    super();
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const value = await this.redis.get(key);
    return value === null ? undefined : (JSON.parse(value) as StoredData<Value>);
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const text = JSON.stringify(value);
    if (ttl && ttl > 0) await this.redis.set(key, text, 'PX', ttl);
    else await this.redis.set(key, text);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(key)) > 0;
  }

  /** Deletes this namespace's keys only: the Redis may be shared with other applications. */
  async clear(): Promise<void> {
    const pattern = `${this.namespace ?? ''}:*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      if (keys.length > 0) await this.redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}
