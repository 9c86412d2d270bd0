import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { SharedStoreUnavailable, type SharedStoreHealth } from '../../redis/shared-store-health';
import type { MemoryFixedWindowStorage } from './memory-window-storage';

/**
 * The throttler's storage when REDIS_URL is set: one count shared by every instance while Redis
 * answers in time; this instance's own count while it does not (CONTRACT §6: per-instance
 * limits, so a silent Redis neither blocks requests nor lifts the limits).
 */
export class FailoverWindowStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimitStore');
  private perInstance = false;

  constructor(
    private readonly shared: ThrottlerStorage,
    private readonly local: MemoryFixedWindowStorage,
    private readonly health: SharedStoreHealth,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    try {
      const record = await this.health.run('rate-limit', () => this.shared.increment(key, ttl, limit, blockDuration, throttlerName));
      if (this.perInstance) this.logger.log('rate limits counted in Redis again, shared by every instance');
      this.perInstance = false;
      return record;
    } catch (error) {
      if (!(error instanceof SharedStoreUnavailable)) throw error;
      if (!this.perInstance) this.logger.warn('Redis not answering: rate limits counted per instance');
      this.perInstance = true;
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
  }
}
