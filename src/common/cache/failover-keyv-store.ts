import EventEmitter from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { SharedStoreUnavailable, type SharedStoreHealth } from '../../redis/shared-store-health';
import type { BoundedMemoryStore } from './bounded-memory-store';

/**
 * The cache's store when REDIS_URL is set: Redis, shared by every instance, while it answers in
 * time; this instance's bounded memory while it does not (CONTRACT §6: per-instance caches, never
 * a wait). The memory store starts empty each time Redis stops answering: entries kept from an
 * earlier outage could have been changed through another instance since.
 *
 * The other way round, Redis's entries (and the scope generations beside them) are from before
 * the outage, and a change made meanwhile through any instance (this one, or another that had to
 * do without Redis too) is not in them: Redis would give the old roles and grants back as fresh.
 * So an instance that lived through an outage empties the cache's namespace in Redis before it
 * uses Redis again (SharedStoreHealth.beforeSharingAgain): every entry reads through once.
 */
export class FailoverKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  opts = { dialect: 'redis' };
  private usedLocal = false;

  constructor(
    private readonly shared: KeyvStoreAdapter,
    private readonly local: BoundedMemoryStore,
    private readonly health: SharedStoreHealth,
  ) {
    super();
    health.beforeSharingAgain(() => this.shared.clear());
  }

  /** Keyv sets its namespace here; both stores need it (Redis clears by namespace). */
  get namespace(): string | undefined {
    return this.shared.namespace;
  }

  set namespace(namespace: string | undefined) {
    this.shared.namespace = namespace;
    this.local.namespace = namespace;
  }

  get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return this.either(
      () => this.shared.get<Value>(key),
      () => this.local.get<Value>(key),
    );
  }

  set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    return this.either(
      async () => (await this.shared.set(key, value, ttl)) !== false,
      () => this.local.set(key, value, ttl),
    );
  }

  delete(key: string): Promise<boolean> {
    return this.either(
      () => this.shared.delete(key),
      () => this.local.delete(key),
    );
  }

  async clear(): Promise<void> {
    await this.local.clear();
    await this.either(
      () => this.shared.clear(),
      () => Promise.resolve(),
    );
  }

  private async either<T>(onShared: () => Promise<T>, onLocal: () => Promise<T>): Promise<T> {
    try {
      const answer = await this.health.run('cache', onShared);
      if (this.usedLocal) {
        this.usedLocal = false;
        await this.local.clear();
      }
      return answer;
    } catch (error) {
      if (!(error instanceof SharedStoreUnavailable)) throw error;
      this.usedLocal = true;
      return onLocal();
    }
  }
}
