import type { KeyvStoreAdapter } from 'keyv';
import { SharedStoreUnavailable, type SharedStoreHealth } from '../../redis/shared-store-health';
import { BoundedMemoryStore } from './bounded-memory-store';
import { FailoverKeyvStore } from './failover-keyv-store';

describe('FailoverKeyvStore', () => {
  let redisAnswers: boolean;
  let shared: Map<string, unknown>;
  let local: BoundedMemoryStore;
  let store: FailoverKeyvStore;
  let recoverySteps: (() => Promise<void>)[];

  beforeEach(() => {
    redisAnswers = true;
    shared = new Map();
    local = new BoundedMemoryStore({ maxEntries: 100, maxBytes: 64 * 1024, sweepIntervalMs: 60_000 });
    const sharedStore = {
      get: (key: string) => Promise.resolve(shared.get(key)),
      set: (key: string, value: unknown) => Promise.resolve(shared.set(key, value) && true),
      delete: (key: string) => Promise.resolve(shared.delete(key)),
      clear: () => Promise.resolve(shared.clear()),
    } as unknown as KeyvStoreAdapter;
    recoverySteps = [];
    const health = {
      beforeSharingAgain: (step: () => Promise<void>) => recoverySteps.push(step),
      run: (_use: string, operation: () => Promise<unknown>) => (redisAnswers ? operation() : Promise.reject(new SharedStoreUnavailable())),
    } as unknown as SharedStoreHealth;
    store = new FailoverKeyvStore(sharedStore, local, health);
  });
  afterEach(() => local.onApplicationShutdown());

  it('uses Redis only while it answers', async () => {
    await store.set('roles:acme', 'shared value', 60_000);
    expect(shared.get('roles:acme')).toBe('shared value');
    expect(local.size).toBe(0);
  });

  it('uses this instance memory while Redis does not answer', async () => {
    redisAnswers = false;
    await store.set('roles:acme', 'local value', 60_000);
    expect(await store.get('roles:acme')).toBe('local value');
    expect(shared.has('roles:acme')).toBe(false);
  });

  it('forgets what it kept during the outage once Redis answers again, so a later outage starts empty', async () => {
    redisAnswers = false;
    await store.set('roles:acme', 'kept during the outage', 60_000);
    redisAnswers = true;
    expect(await store.get('roles:acme')).toBeUndefined();
    redisAnswers = false;
    expect(await store.get('roles:acme')).toBeUndefined();
  });

  it("has Redis's entries from before an outage emptied before Redis is shared again: a change made meanwhile is not undone (issue 20)", async () => {
    await store.set('roles:acme', 'from before the outage', 60_000);
    expect(recoverySteps).toHaveLength(1);
    await recoverySteps[0]();
    expect(shared.size).toBe(0);
    expect(await store.get('roles:acme')).toBeUndefined();
  });

  it('hands Keyv namespace to both stores', () => {
    store.namespace = 'frontegg-gateway';
    expect(local.namespace).toBe('frontegg-gateway');
    expect(store.namespace).toBe('frontegg-gateway');
  });
});
