import type { EntitlementsGrantTuple, VendorEntitlementsData, VendorEntitlementsResponse } from '../identity/frontegg-api.types';
import { createSeedEntitlements } from './seed';

/**
 * The environment's entitlements snapshot as Frontegg's SDKs read it: the data and its offset.
 * Every change moves the offset, and so does a reset: offsets are never reused while the emulator
 * runs, so a client that loaded one never mistakes other data for it.
 */
export class EntitlementsStore {
  private data: VendorEntitlementsData = createSeedEntitlements();
  private offset = 1;

  snapshot(): VendorEntitlementsResponse {
    return { data: this.data, snapshotOffset: this.offset };
  }

  currentOffset(): number {
    return this.offset;
  }

  /** Replaces the whole snapshot. */
  replace(data: VendorEntitlementsData): number {
    this.data = structuredClone(data);
    return ++this.offset;
  }

  /** Adds one grant of a plan (to a tenant, or to one user in it). */
  grant(grant: EntitlementsGrantTuple): number {
    this.data = { ...this.data, entitlements: [...this.data.entitlements, grant] };
    return ++this.offset;
  }

  reset(): void {
    this.data = createSeedEntitlements();
    this.offset++;
  }
}
