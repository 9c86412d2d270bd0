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
});
