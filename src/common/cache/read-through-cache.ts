import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { LRUCache } from 'lru-cache';
import { randomUUID } from 'node:crypto';
import { Metrics } from '../../metrics/metrics.service';
import { REDIS, type SharedRedis } from '../../redis/redis.token';
import { CLIENT_CLOSED_REQUEST } from '../http/request-trace';
import { ProblemException } from '../problems/problem.exception';

/** How long past its freshness an entry may still answer while the upstream is failing. */
export const STALE_IF_ERROR_MS = 5 * 60_000;

/**
 * How long a scope's generation is kept unchanged in a shared store. Losing it (expiry, eviction,
 * a store that failed) is safe: a new one is drawn, and every entry of the scope reads through once.
 */
const SHARED_GENERATION_KEEP_MS = 24 * 60 * 60_000;

/** Changed scopes one instance remembers without a shared store: in count, and in characters of scope and generation. */
const LOCAL_CHANGED_SCOPES = 10_000;
const LOCAL_CHANGED_SCOPES_SIZE = 1_000_000;

export interface CachedAnswer<T> {
  value: T;
  /** RFC 9211 `Cache-Status` of this answer. */
  cacheStatus: string;
}

export interface ReadOptions {
  /**
   * `false` for answers that decide access: an outage must not extend what a revoked user may do.
   */
  staleIfError?: boolean;
  /**
   * What the answer depends on (say, a tenant's roles), named by a store key. After
   * `changed(scope)`, an entry loaded under an earlier generation of the scope is never fresh again.
   */
  scope?: string;
}

interface Entry<T> {
  value: T;
  storedAt: number;
  /** The scope's generation read before the load started: fresh only while it is still the current one. */
  generation?: string;
}

/** Where the current generation of each scope is kept. */
interface Generations {
  /** Synchronous when the generations are in this process: the hot path then waits for the entry only. */
  current(scope: string): string | Promise<string>;
  change(scope: string): Promise<void>;
}

const CACHE_NAME = 'gateway';

/**
 * Read-through cache over the configured store (memory, or Redis shared by every instance).
 * Concurrent misses of one key under one generation share one load; an entry stays usable for
 * STALE_IF_ERROR_MS past its lifetime, answered only when the upstream is failing. A store that
 * fails reads as a miss.
 *
 * A change is told by drawing a new generation for its scope, not by touching entries: a load
 * that started before the change still stores its answer when it ends, but stamped with the
 * generation it started under, so nobody takes it as fresh, on any instance sharing the store.
 */
@Injectable()
export class ReadThroughCache {
  private readonly loading = new Map<string, Promise<unknown>>();
  private readonly generations: Generations;

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly metrics: Metrics,
    // Generations live where the entries do: in Redis when it is shared, else in this process.
    @Inject(REDIS) sharedRedis: SharedRedis,
  ) {
    this.generations = sharedRedis ? new SharedGenerations(cache) : new LocalGenerations();
  }

  async read<T>(name: string, key: string, ttlMs: number, load: () => Promise<T>, { staleIfError = true, scope }: ReadOptions = {}): Promise<CachedAnswer<T>> {
    if (ttlMs <= 0) return { value: await load(), cacheStatus: `${CACHE_NAME}; fwd=bypass` };
    const current = scope === undefined ? undefined : this.generations.current(scope);
    const entry = this.cache.get<Entry<T>>(key).catch(() => undefined);
    // A shared generation is read in parallel with the entry: one round trip to Redis.
    const [cached, generation] = typeof current === 'object' ? await Promise.all([entry, current]) : [await entry, current];
    const age = cached ? Date.now() - cached.storedAt : Number.POSITIVE_INFINITY;
    if (cached && age < ttlMs && cached.generation === generation) {
      this.metrics.cacheLookups.inc({ cache: name, result: 'hit' });
      return { value: cached.value, cacheStatus: `${CACHE_NAME}; hit; ttl=${Math.floor((ttlMs - age) / 1000)}` };
    }
    try {
      const keepMs = staleIfError ? ttlMs + STALE_IF_ERROR_MS : ttlMs;
      // A shared load is cancelled when the client that started it leaves: the others load for themselves.
      const value = await this.loadOnce(key, generation, keepMs, load).catch((error: unknown) => {
        if (error instanceof ProblemException && error.getStatus() === CLIENT_CLOSED_REQUEST) return load();
        throw error;
      });
      this.metrics.cacheLookups.inc({ cache: name, result: 'miss' });
      return { value, cacheStatus: `${CACHE_NAME}; fwd=${cached ? 'stale' : 'uri-miss'}; stored` };
    } catch (error) {
      if (!staleIfError || !cached || age >= ttlMs + STALE_IF_ERROR_MS || !isUpstreamFailure(error)) throw error;
      this.metrics.cacheLookups.inc({ cache: name, result: 'stale' });
      return {
        value: cached.value,
        cacheStatus: `${CACHE_NAME}; fwd=stale; fwd-status=${error.getStatus()}; ttl=${Math.floor((ttlMs - age) / 1000)}; detail=stale-if-error`,
      };
    }
  }

  /**
   * After a change: every entry of the scope reads the upstream next (on every instance, when the
   * store is shared). The entries are kept, so that they can still answer (as stale) while the
   * upstream fails, where their reads allow it.
   */
  changed(scope: string): Promise<void> {
    return this.generations.change(scope);
  }

  private loadOnce<T>(key: string, generation: string | undefined, keepMs: number, load: () => Promise<T>): Promise<T> {
    // A reader that came after a change must not join a load that started before it.
    const flight = generation === undefined ? key : `${key}\n${generation}`;
    let pending = this.loading.get(flight) as Promise<T> | undefined;
    if (!pending) {
      pending = load()
        .then(async (value) => {
          await this.cache.set<Entry<T>>(key, { value, storedAt: Date.now(), generation }, keepMs).catch(() => undefined);
          return value;
        })
        .finally(() => this.loading.delete(flight));
      this.loading.set(flight, pending);
    }
    return pending;
  }
}

/**
 * One instance's generations, without a shared store: synchronous, so the hot path waits for the
 * entry only. Only changed scopes are remembered; every other scope is at the base generation.
 * Forgetting a changed scope (past the bounds) draws a new base, so that no scope can fall back to
 * a generation its old entries carry: every unchanged scope then reads through once.
 */
class LocalGenerations implements Generations {
  private base = randomUUID();
  private readonly changedScopes = new LRUCache<string, string>({
    max: LOCAL_CHANGED_SCOPES,
    maxSize: LOCAL_CHANGED_SCOPES_SIZE,
    sizeCalculation: (generation, scope) => scope.length + generation.length,
    dispose: (_generation, _scope, reason) => {
      if (reason === 'evict') this.base = randomUUID();
    },
  });

  current(scope: string): string {
    return this.changedScopes.get(scope) ?? this.base;
  }

  async change(scope: string): Promise<void> {
    this.changedScopes.set(scope, randomUUID());
  }
}

/** Generations in the shared store, beside the entries: a change seen by every instance at once. */
class SharedGenerations implements Generations {
  /** New generations being stored, by scope. */
  private readonly drawing = new Map<string, Promise<string>>();

  constructor(private readonly cache: Cache) {}

  /**
   * The scope's current generation; a new one when the store has none. Stored before any load
   * stamped with it starts, so a change told meanwhile replaces it rather than being replaced.
   */
  async current(scope: string): Promise<string> {
    const current = await this.cache.get<string>(scope).catch(() => undefined);
    if (current !== undefined) return current;
    // Concurrent first readers share one new generation, and so one load.
    let drawn = this.drawing.get(scope);
    if (!drawn) {
      const generation = randomUUID();
      drawn = this.cache
        .set(scope, generation, SHARED_GENERATION_KEEP_MS)
        .catch(() => undefined)
        .then(() => generation)
        .finally(() => this.drawing.delete(scope));
      this.drawing.set(scope, drawn);
    }
    return drawn;
  }

  async change(scope: string): Promise<void> {
    await this.cache.set(scope, randomUUID(), SHARED_GENERATION_KEEP_MS).catch(() => undefined);
  }
}

function isUpstreamFailure(error: unknown): error is ProblemException {
  return error instanceof ProblemException && error.getStatus() >= HttpStatus.BAD_GATEWAY;
}
