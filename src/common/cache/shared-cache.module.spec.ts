import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Cache } from 'cache-manager';
import type { Keyv } from 'keyv';
import { Metrics } from '../../metrics/metrics.service';
import { REDIS } from '../../redis/redis.module';
import { SharedStoreHealth } from '../../redis/shared-store-health';
import { SharedCacheModule } from './shared-cache.module';

@Global()
@Module({
  providers: [
    { provide: REDIS, useValue: null },
    { provide: Metrics, useValue: { sharedStoreErrors: { inc: () => undefined } } },
    { provide: SharedStoreHealth, useValue: {} },
  ],
  exports: [REDIS, Metrics, SharedStoreHealth],
})
class WithoutRedis {}

/** The store under the cache without REDIS_URL (issue 11, fault 4): what it holds, not what it answers. */
interface HeldEntries {
  size: number;
  dropExpired?: () => void;
}

describe('the cache without Redis (issue 11)', () => {
  let close: () => Promise<void>;
  let cache: Cache;
  let held: HeldEntries;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [WithoutRedis, SharedCacheModule] }).compile();
    await moduleRef.init();
    close = () => moduleRef.close();
    cache = moduleRef.get<Cache>(CACHE_MANAGER);
    held = (cache.stores[0] as Keyv).store as HeldEntries;
  });
  afterEach(() => close());

  it('drops expired entries that nobody reads again', async () => {
    for (let i = 0; i < 10_000; i++) await cache.set(`tenant-${i}`, { roles: [i] }, 20);
    expect(held.size).toBe(10_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    held.dropExpired?.(); // what its sweeper does every 30 s
    expect({ heldAfterExpiry: held.size }).toEqual({ heldAfterExpiry: 0 });
  });

  it('holds at most 20,000 entries, however many distinct keys arrive', async () => {
    for (let i = 0; i < 30_000; i++) await cache.set(`tenant-${i}`, { roles: [i] }, 60_000);
    expect(held.size).toBeLessThanOrEqual(20_000);
    expect(await cache.get(`tenant-29999`)).toEqual({ roles: [29_999] }); // the newest stay
  });

  it('holds at most 16 MiB of entries, however large they are', async () => {
    const large = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 40; i++) await cache.set(`tenant-${i}`, large, 60_000);
    // Each entry is a 1 MiB string: about 2 MiB counted as UTF-16, so at most 8 fit in 16 MiB.
    expect(held.size).toBeLessThanOrEqual(8);
    expect(await cache.get('tenant-39')).toBe(large);
  });
});
