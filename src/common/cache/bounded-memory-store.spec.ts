import { BoundedMemoryStore } from './bounded-memory-store';

describe('BoundedMemoryStore', () => {
  let now = 1_000_000;
  let store: BoundedMemoryStore;
  const bounds = { maxEntries: 100, maxBytes: 64 * 1024, sweepIntervalMs: 60_000, now: () => now };
  beforeEach(() => {
    now = 1_000_000;
    store = new BoundedMemoryStore(bounds);
  });
  afterEach(() => store.onApplicationShutdown());

  it('answers an entry until its lifetime ends, then nothing', async () => {
    await store.set('roles:acme', '{"value":[1]}', 1_000);
    now += 1_000;
    expect(await store.get('roles:acme')).toBe('{"value":[1]}');
    now += 1;
    expect(await store.get('roles:acme')).toBeUndefined();
  });

  it('drops expired entries when swept, read or not', async () => {
    for (let i = 0; i < 50; i++) await store.set(`short-${i}`, 'v', 1_000);
    await store.set('long', 'v', 60_000);
    now += 1_001;
    store.dropExpired();
    expect(store.size).toBe(1);
  });

  it('holds at most maxEntries, the least recently used out first', async () => {
    for (let i = 0; i < 100; i++) await store.set(`key-${i}`, 'v', 60_000);
    await store.get('key-0'); // used: stays
    for (let i = 100; i < 150; i++) await store.set(`key-${i}`, 'v', 60_000);
    expect(store.size).toBe(100);
    expect(await store.get('key-0')).toBe('v');
    expect(await store.get('key-1')).toBeUndefined();
  });

  it('holds at most maxBytes, counting keys and values', async () => {
    const value = 'x'.repeat(4 * 1024); // 8 KiB as UTF-16, with its key and overhead a little more
    for (let i = 0; i < 20; i++) await store.set(`key-${i}`, value, 60_000);
    expect(store.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(store.size).toBe(7);
  });

  it('refuses an entry larger than the whole budget, and says so', async () => {
    expect(await store.set('huge', 'x'.repeat(64 * 1024), 60_000)).toBe(false);
    expect(await store.get('huge')).toBeUndefined();
  });

  it('keeps an entry without a lifetime until it is pushed out', async () => {
    await store.set('forever', 'v');
    now += 365 * 24 * 3_600_000;
    store.dropExpired();
    expect(await store.get('forever')).toBe('v');
  });
});
