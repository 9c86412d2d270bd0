import { MemoryFixedWindowStorage } from './memory-window-storage';

const MINUTE = 60_000;

describe('MemoryFixedWindowStorage', () => {
  let now = 1_000_000;
  let storage: MemoryFixedWindowStorage;
  beforeEach(() => {
    now = 1_000_000;
    storage = new MemoryFixedWindowStorage(() => now);
  });
  afterEach(() => storage.onApplicationShutdown());

  const hit = (key = 'user:a', limit = 3) => storage.increment(key, MINUTE, limit, 0, 'per-minute');

  it('counts hits in one window and blocks past the limit', async () => {
    const records = [await hit(), await hit(), await hit(), await hit()];
    expect(records.map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    expect(records[3].timeToExpire).toBe(60);
  });

  it('is a fixed window: its end does not move with later hits, and a new window starts from zero', async () => {
    await hit();
    now += 45_000;
    expect((await hit()).timeToExpire).toBe(15);
    now += 15_000;
    expect(await hit()).toMatchObject({ totalHits: 1, timeToExpire: 60, isBlocked: false });
  });

  it('keeps callers apart', async () => {
    await hit('user:a');
    await hit('user:a');
    expect((await hit('user:b')).totalHits).toBe(1);
  });

  it('forgets ended windows when swept', async () => {
    await hit('user:a');
    now += 30_000;
    await hit('user:b');
    now += 30_000;
    storage.sweep();
    expect(storage.size).toBe(1);
  });

  describe('bounded (issue 11)', () => {
    const bounds = { maxEntries: 1_000, maxBytes: 1024 * 1024 };
    let bounded: MemoryFixedWindowStorage;
    beforeEach(() => (bounded = new MemoryFixedWindowStorage(() => now, bounds)));
    afterEach(() => bounded.onApplicationShutdown());

    it('holds at most maxEntries windows when a flood of distinct callers arrives within one minute', async () => {
      for (let i = 0; i < 5_000; i++) await bounded.increment(`address:10.0.${i >> 8}.${i & 255}`, MINUTE, 3, 0, 'per-minute');
      expect({ windowsHeld: bounded.size }).toEqual({ windowsHeld: 1_000 });
    });

    it('keeps counting a busy caller through the flood: the quietest callers are pushed out first', async () => {
      const busy = () => bounded.increment('user:busy', MINUTE, 3, 0, 'per-minute');
      await busy();
      await busy();
      await busy();
      for (let i = 0; i < 5_000; i++) {
        await bounded.increment(`address:flood-${i}`, MINUTE, 3, 0, 'per-minute');
        if (i % 500 === 0) expect((await busy()).isBlocked).toBe(true);
      }
    });

    it('holds at most maxBytes, however long the keys', async () => {
      const small = new MemoryFixedWindowStorage(() => now, { maxEntries: 1_000, maxBytes: 64 * 1024 });
      for (let i = 0; i < 1_000; i++) await small.increment(`user:${'x'.repeat(200)}-${i}`, MINUTE, 3, 0, 'per-minute');
      expect(small.bytes).toBeLessThanOrEqual(64 * 1024);
      expect(small.size).toBeLessThan(1_000);
      small.onApplicationShutdown();
    });
  });
});
