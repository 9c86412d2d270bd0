import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';

/** Deletes the lock only when it is still ours: a holder that outlived its lock must not free the next holder's. */
const UNLOCK_SCRIPT = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

/** A Redis lock on `key` for `ttlMs` at most: its token when this caller got it, undefined when another holds it. */
export async function takeRedisLock(redis: Redis, key: string, ttlMs: number): Promise<string | undefined> {
  const token = randomUUID();
  return (await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK' ? token : undefined;
}

export async function releaseRedisLock(redis: Redis, key: string, token: string): Promise<void> {
  await redis.eval(UNLOCK_SCRIPT, 1, key, token);
}
