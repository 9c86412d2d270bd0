import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { SharedStoreUnavailable, type SharedStoreHealth } from '../../redis/shared-store-health';
import { FailoverWindowStorage } from './failover-window-storage';
import { MemoryFixedWindowStorage } from './memory-window-storage';

const MINUTE = 60_000;

describe('FailoverWindowStorage', () => {
  let redisAnswers: boolean;
  let local: MemoryFixedWindowStorage;
  let storage: FailoverWindowStorage;
  const sharedIncrement = jest.fn(() => Promise.resolve({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 }));

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    redisAnswers = true;
    sharedIncrement.mockClear();
    local = new MemoryFixedWindowStorage();
    const health = {
      run: (_use: string, operation: () => Promise<unknown>) => (redisAnswers ? operation() : Promise.reject(new SharedStoreUnavailable())),
    } as unknown as SharedStoreHealth;
    storage = new FailoverWindowStorage({ increment: sharedIncrement } as unknown as ThrottlerStorage, local, health);
  });
  afterEach(() => {
    storage.onApplicationShutdown();
    jest.restoreAllMocks();
  });

  const hit = () => storage.increment('user:a', MINUTE, 2, 0, 'per-minute');

  it('counts in Redis while it answers', async () => {
    await hit();
    expect(sharedIncrement).toHaveBeenCalledTimes(1);
    expect(local.size).toBe(0);
  });

  it('counts per instance while Redis does not answer: limits still apply', async () => {
    redisAnswers = false;
    const records = [await hit(), await hit(), await hit()];
    expect(records.map((record) => record.isBlocked)).toEqual([false, false, true]);
    expect(sharedIncrement).not.toHaveBeenCalled();
  });
});
