import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type Redis from 'ioredis';
import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '../common/problems/problem.exception';
import { releaseRedisLock, takeRedisLock } from '../redis/redis-lock';
import { SharedStoreUnavailable, type SharedStoreHealth } from '../redis/shared-store-health';

/**
 * Where sealed sessions, sign-ins in progress and refresh locks live. Values are opaque strings
 * (sealed by SessionStore). Redis, when REDIS_URL is set, so that any instance serves any session
 * and a logout ends it everywhere; otherwise bounded memory in this one process.
 */
export interface SessionBackend {
  /** The value, its idle lifetime restarted at `ttlMs` in the same step (Redis GETEX). */
  readAndTouch(key: string, ttlMs: number): Promise<string | undefined>;
  read(key: string): Promise<string | undefined>;
  write(key: string, value: string, ttlMs: number): Promise<void>;
  /** Replaces a value that still exists, keeping its lifetime; false when it is gone (a logout won). */
  replace(key: string, value: string): Promise<boolean>;
  /** Reads and deletes in one step: a second caller gets nothing (one-time sign-in state). */
  take(key: string): Promise<string | undefined>;
  remove(key: string): Promise<void>;
  /** A lock for `ttlMs` at most: its token when this caller got it, undefined when another holds it. */
  lock(key: string, ttlMs: number): Promise<string | undefined>;
  unlock(key: string, token: string): Promise<void>;
}

/**
 * Every command is bounded by REDIS_COMMAND_TIMEOUT_MS and skipped at once while Redis is not answering
 * (SharedStoreHealth). Sessions have no per-instance fallback (another instance would not know them), so
 * a silent Redis is a 503 here, for every command: no caller can forget it, and the session is kept.
 */
export class RedisSessionBackend implements SessionBackend {
  constructor(
    private readonly redis: Redis,
    private readonly health: SharedStoreHealth,
  ) {}

  readAndTouch(key: string, ttlMs: number): Promise<string | undefined> {
    return this.run(async () => (await this.redis.getex(key, 'PX', ttlMs)) ?? undefined);
  }

  read(key: string): Promise<string | undefined> {
    return this.run(async () => (await this.redis.get(key)) ?? undefined);
  }

  write(key: string, value: string, ttlMs: number): Promise<void> {
    return this.run(async () => void (await this.redis.set(key, value, 'PX', ttlMs)));
  }

  replace(key: string, value: string): Promise<boolean> {
    return this.run(async () => (await this.redis.set(key, value, 'KEEPTTL', 'XX')) === 'OK');
  }

  take(key: string): Promise<string | undefined> {
    return this.run(async () => (await this.redis.getdel(key)) ?? undefined);
  }

  remove(key: string): Promise<void> {
    return this.run(async () => void (await this.redis.del(key)));
  }

  lock(key: string, ttlMs: number): Promise<string | undefined> {
    return this.run(() => takeRedisLock(this.redis, key, ttlMs));
  }

  unlock(key: string, token: string): Promise<void> {
    return this.run(() => releaseRedisLock(this.redis, key, token));
  }

  private async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await this.health.run('sessions', operation);
    } catch (error) {
      if (!(error instanceof SharedStoreUnavailable)) throw error;
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'the session store is not answering: try again', { headers: { 'Retry-After': '1' }, cause: error });
    }
  }
}

export interface MemorySessionBounds {
  maxEntries: number;
  /** Keys and values, two bytes a character. */
  maxBytes: number;
}

/** One instance's sessions: far above what one developer machine or a small deployment holds, far below its heap. */
export const SESSION_MEMORY_BOUNDS: MemorySessionBounds = { maxEntries: 10_000, maxBytes: 32 * 1024 * 1024 };
/**
 * One instance's sign-ins in progress, apart from its sessions (SessionStore.inMemory): anyone can
 * start one, so a flood of them only pushes out other sign-ins in progress (each lives 10 minutes).
 */
export const LOGIN_MEMORY_BOUNDS: MemorySessionBounds = { maxEntries: 10_000, maxBytes: 8 * 1024 * 1024 };

/**
 * Without Redis: lru-cache, bounded in entries and bytes, each entry dropped when its lifetime
 * ends. When the bound is reached the least recently used session is dropped (its user signs in
 * again); a restart ends every session. Hence Redis for anything beyond one instance.
 */
export class MemorySessionBackend implements SessionBackend {
  private readonly entries: LRUCache<string, string>;

  constructor(bounds: MemorySessionBounds = SESSION_MEMORY_BOUNDS, now?: () => number) {
    this.entries = new LRUCache<string, string>({
      max: bounds.maxEntries,
      maxSize: bounds.maxBytes,
      sizeCalculation: (value, key) => 2 * (key.length + value.length),
      ttlAutopurge: false,
      ttlResolution: 0,
      ...(now ? { perf: { now } } : {}),
    });
  }

  async readAndTouch(key: string, ttlMs: number): Promise<string | undefined> {
    const value = this.entries.get(key);
    if (value !== undefined) this.entries.set(key, value, { ttl: ttlMs });
    return value;
  }

  async read(key: string): Promise<string | undefined> {
    return this.entries.get(key);
  }

  async write(key: string, value: string, ttlMs: number): Promise<void> {
    this.entries.set(key, value, { ttl: ttlMs });
  }

  async replace(key: string, value: string): Promise<boolean> {
    const remaining = this.entries.getRemainingTTL(key);
    if (remaining <= 0 || !this.entries.has(key)) return false;
    this.entries.set(key, value, { ttl: remaining });
    return true;
  }

  async take(key: string): Promise<string | undefined> {
    const value = this.entries.get(key);
    this.entries.delete(key);
    return value;
  }

  async remove(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async lock(key: string, ttlMs: number): Promise<string | undefined> {
    if (this.entries.has(key)) return undefined;
    const token = randomUUID();
    this.entries.set(key, token, { ttl: ttlMs });
    return token;
  }

  async unlock(key: string, token: string): Promise<void> {
    if (this.entries.get(key) === token) this.entries.delete(key);
  }
}
