import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { randomUUID } from 'node:crypto';
import { Metrics } from '../../metrics/metrics.service';
import { ProblemException } from '../problems/problem.exception';

/** How long past its freshness an entry may still answer while the upstream is failing. */
export const STALE_IF_ERROR_MS = 5 * 60_000;

/**
 * How long a scope's generation is kept unchanged in the store. Losing it (expiry, eviction, a
 * store that failed) is safe: a new one is drawn, and every entry of the scope reads through once.
 */
const GENERATION_KEEP_MS = 24 * 60 * 60_000;

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
   * The store key of the generation the answer depends on (say, a tenant's roles). After
   * `changed(scope)`, an entry loaded under an earlier generation is never fresh again.
   */
  scope?: string;
}

interface Entry<T> {
  value: T;
  storedAt: number;
  /** The scope's generation read before the load started: fresh only while it is still the current one. */
  generation?: string;
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
  /** New generations being stored, by scope. */
  private readonly drawing = new Map<string, Promise<string>>();

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly metrics: Metrics,
  ) {}

  async read<T>(name: string, key: string, ttlMs: number, load: () => Promise<T>, { staleIfError = true, scope }: ReadOptions = {}): Promise<CachedAnswer<T>> {
    if (ttlMs <= 0) return { value: await load(), cacheStatus: `${CACHE_NAME}; fwd=bypass` };
    // One extra lookup for a scoped key, in parallel with the entry's (one round trip to Redis).
    const [cached, generation] = await Promise.all([
      this.cache.get<Entry<T>>(key).catch(() => undefined),
      scope === undefined ? undefined : this.generationOf(scope),
    ]);
    const age = cached ? Date.now() - cached.storedAt : Number.POSITIVE_INFINITY;
    if (cached && age < ttlMs && cached.generation === generation) {
      this.metrics.cacheLookups.inc({ cache: name, result: 'hit' });
      return { value: cached.value, cacheStatus: `${CACHE_NAME}; hit; ttl=${Math.floor((ttlMs - age) / 1000)}` };
    }
    try {
      const value = await this.loadOnce(key, generation, staleIfError ? ttlMs + STALE_IF_ERROR_MS : ttlMs, load);
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
  async changed(scope: string): Promise<void> {
    await this.cache.set(scope, randomUUID(), GENERATION_KEEP_MS).catch(() => undefined);
  }

  /**
   * The scope's current generation; a new one when the store has none. Stored before any load
   * stamped with it starts, so a change told meanwhile replaces it rather than being replaced.
   */
  private async generationOf(scope: string): Promise<string> {
    const current = await this.cache.get<string>(scope).catch(() => undefined);
    if (current !== undefined) return current;
    // Concurrent first readers share one new generation, and so one load.
    let drawn = this.drawing.get(scope);
    if (!drawn) {
      const generation = randomUUID();
      drawn = this.cache
        .set(scope, generation, GENERATION_KEEP_MS)
        .catch(() => undefined)
        .then(() => generation)
        .finally(() => this.drawing.delete(scope));
      this.drawing.set(scope, drawn);
    }
    return drawn;
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

function isUpstreamFailure(error: unknown): error is ProblemException {
  return error instanceof ProblemException && error.getStatus() >= HttpStatus.BAD_GATEWAY;
}
