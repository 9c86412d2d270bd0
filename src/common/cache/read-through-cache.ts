import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { Metrics } from '../../metrics/metrics.service';
import { CLIENT_CLOSED_REQUEST } from '../http/request-trace';
import { ProblemException } from '../problems/problem.exception';

/** How long past its freshness an entry may still answer while the upstream is failing. */
export const STALE_IF_ERROR_MS = 5 * 60_000;

export interface CachedAnswer<T> {
  value: T;
  /** RFC 9211 `Cache-Status` of this answer. */
  cacheStatus: string;
}

interface Entry<T> {
  value: T;
  storedAt: number;
  /** Changed since: never fresh again, but still a fallback while the upstream fails. */
  invalidated?: boolean;
}

const CACHE_NAME = 'gateway';

/**
 * Read-through cache over the configured store (memory, or Redis shared by every instance).
 * Concurrent misses of one key share one load; an entry stays usable for STALE_IF_ERROR_MS past
 * its lifetime, answered only when the upstream is failing. A store that fails reads as a miss.
 */
@Injectable()
export class ReadThroughCache {
  private readonly loading = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly metrics: Metrics,
  ) {}

  /**
   * `staleIfError: false` for answers that decide access: an outage must not extend what a
   * revoked user may do.
   */
  async read<T>(name: string, key: string, ttlMs: number, load: () => Promise<T>, { staleIfError = true } = {}): Promise<CachedAnswer<T>> {
    if (ttlMs <= 0) return { value: await load(), cacheStatus: `${CACHE_NAME}; fwd=bypass` };
    const cached = await this.cache.get<Entry<T>>(key).catch(() => undefined);
    const age = cached ? Date.now() - cached.storedAt : Number.POSITIVE_INFINITY;
    if (cached && age < ttlMs && !cached.invalidated) {
      this.metrics.cacheLookups.inc({ cache: name, result: 'hit' });
      return { value: cached.value, cacheStatus: `${CACHE_NAME}; hit; ttl=${Math.floor((ttlMs - age) / 1000)}` };
    }
    try {
      const keepMs = staleIfError ? ttlMs + STALE_IF_ERROR_MS : ttlMs;
      // A shared load is cancelled when the client that started it leaves: the others load for themselves.
      const value = await this.loadOnce(key, keepMs, load).catch((error: unknown) => {
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
   * After a change: the next read goes upstream (on every instance, when the store is shared).
   * The entry is kept, marked, so that it can still answer (as stale) if the upstream fails.
   */
  async invalidate(key: string): Promise<void> {
    const cached = await this.cache.get<Entry<unknown>>(key).catch(() => undefined);
    if (!cached) return;
    const remainingMs = cached.storedAt + STALE_IF_ERROR_MS - Date.now();
    if (remainingMs <= 0) await this.cache.del(key).catch(() => undefined);
    else await this.cache.set(key, { ...cached, invalidated: true }, remainingMs).catch(() => undefined);
  }

  private loadOnce<T>(key: string, keepMs: number, load: () => Promise<T>): Promise<T> {
    let pending = this.loading.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = load()
        .then(async (value) => {
          await this.cache.set<Entry<T>>(key, { value, storedAt: Date.now() }, keepMs).catch(() => undefined);
          return value;
        })
        .finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }
}

function isUpstreamFailure(error: unknown): error is ProblemException {
  return error instanceof ProblemException && error.getStatus() >= HttpStatus.BAD_GATEWAY;
}
