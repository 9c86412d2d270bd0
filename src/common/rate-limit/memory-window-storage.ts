import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';

interface Window {
  hits: number;
  endsAt: number;
}

/**
 * The throttler's storage for one instance, as a fixed window per key (CONTRACT §6), like the
 * Redis one: a counter and the window's end. The throttler's own in-memory storage keeps a
 * timestamp per hit and scans them all on every request: a sliding log, with memory and time
 * growing with the limit. Ended windows are swept once a window length.
 */
export class MemoryFixedWindowStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly windows = new Map<string, Window>();
  private sweeper?: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {}

  /** No blocking period: a caller over the limit is refused until its window ends (blockDuration is not used). */
  increment(key: string, ttl: number, limit: number, _blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const now = this.now();
    const id = `${throttlerName}:${key}`;
    let window = this.windows.get(id);
    if (!window || window.endsAt <= now) {
      window = { hits: 0, endsAt: now + ttl };
      this.windows.set(id, window);
      this.sweepEvery(ttl);
    }
    window.hits++;
    const timeToExpire = Math.ceil((window.endsAt - now) / 1000);
    const isBlocked = window.hits > limit;
    return Promise.resolve({ totalHits: window.hits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 });
  }

  /** How many callers have a window open (for tests and metrics). */
  get size(): number {
    return this.windows.size;
  }

  sweep(): void {
    const now = this.now();
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  private sweepEvery(ttl: number): void {
    this.sweeper ??= setInterval(() => this.sweep(), ttl).unref();
  }
}
