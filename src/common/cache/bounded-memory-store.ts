import type { OnApplicationShutdown } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import EventEmitter from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';

export interface MemoryStoreBounds {
  maxEntries: number;
  /** Keys and values together (an object by its JSON), counted as UTF-16 (two bytes a character) plus a fixed overhead per entry. */
  maxBytes: number;
  /** How often expired entries are dropped even when nobody reads them again. */
  sweepIntervalMs: number;
  /** For tests: the clock the entries' lifetimes are measured on. */
  now?: () => number;
}

/** The cache's per-instance bounds: far above the working set of one instance, far below its heap. */
export const CACHE_MEMORY_BOUNDS: MemoryStoreBounds = { maxEntries: 10_000, maxBytes: 8 * 1024 * 1024, sweepIntervalMs: 30_000 };

/** Map and LRU bookkeeping per entry, roughly, so that many tiny entries still count. */
const ENTRY_OVERHEAD_BYTES = 100;

/**
 * The cache's in-memory store (no Redis, or Redis not answering), for Keyv: bounded in entries
 * and in bytes, least recently used first out, each entry dropped when its lifetime ends, read
 * or not. Keyv's default Map keeps expired entries until they are read again, and keeps as many
 * as it is given. lru-cache rather than `cacheable`'s CacheableMemory: it bounds bytes as well
 * as entries (CacheableMemory counts entries only), and it is already a dependency.
 */
export class BoundedMemoryStore extends EventEmitter implements KeyvStoreAdapter, OnApplicationShutdown {
  opts = { dialect: 'memory' };
  namespace?: string;
  private readonly entries: LRUCache<string, NonNullable<unknown>>;
  private readonly sweeper: NodeJS.Timeout;

  constructor(bounds: MemoryStoreBounds) {
    super();
    this.entries = new LRUCache<string, NonNullable<unknown>>({
      max: bounds.maxEntries,
      maxSize: bounds.maxBytes,
      sizeCalculation: (value, key) => ENTRY_OVERHEAD_BYTES + 2 * (key.length + (typeof value === 'string' ? value.length : JSON.stringify(value).length)),
      ...(bounds.now ? { perf: { now: bounds.now } } : {}),
      ttlResolution: 0, // read the clock on every check: it is cheap, and a cached one lags behind
    });
    this.sweeper = setInterval(() => this.dropExpired(), bounds.sweepIntervalMs).unref();
  }

  get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return Promise.resolve(this.entries.get(key) as StoredData<Value> | undefined);
  }

  /** `ttl` in milliseconds; none (or 0) keeps the entry until it is pushed out. */
  set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    if (value === undefined || value === null) return Promise.resolve(false);
    this.entries.set(key, value, ttl && ttl > 0 ? { ttl } : {});
    // An entry larger than the whole budget is refused by lru-cache: report it as not stored.
    return Promise.resolve(this.entries.has(key));
  }

  delete(key: string): Promise<boolean> {
    return Promise.resolve(this.entries.delete(key));
  }

  clear(): Promise<void> {
    this.entries.clear();
    return Promise.resolve();
  }

  /** Entries held now, expired ones included until the next sweep. */
  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.entries.calculatedSize;
  }

  dropExpired(): void {
    this.entries.purgeStale();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }
}
