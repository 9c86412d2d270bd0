import { Module } from '@nestjs/common';
import { BoundedMemoryStore, CACHE_MEMORY_BOUNDS } from './bounded-memory-store';

/** The cache's per-instance store, as a provider so that its sweeper stops with the application. */
export const CACHE_MEMORY_STORE = Symbol('CACHE_MEMORY_STORE');

@Module({
  providers: [{ provide: CACHE_MEMORY_STORE, useFactory: () => new BoundedMemoryStore(CACHE_MEMORY_BOUNDS) }],
  exports: [CACHE_MEMORY_STORE],
})
export class CacheStoresModule {}
