import { randomBytes } from 'node:crypto';
import type { VendorAuthenticationResponse } from '../identity/frontegg-api.types';

/**
 * Vendor (management) tokens: opaque random strings with an expiry, as the gateway only
 * ever passes them back. The lifetime of newly issued tokens can change at run time.
 */
export class VendorTokenStore {
  private readonly expiries = new Map<string, number>();
  private ttlSeconds: number;

  constructor(
    private readonly defaultTtlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.ttlSeconds = defaultTtlSeconds;
  }

  issue(): VendorAuthenticationResponse {
    const token = randomBytes(32).toString('base64url');
    this.expiries.set(token, this.now() + this.ttlSeconds * 1000);
    return { token, expiresIn: this.ttlSeconds };
  }

  isValid(token: string): boolean {
    const expiresAt = this.expiries.get(token);
    if (expiresAt === undefined) return false;
    if (expiresAt > this.now()) return true;
    this.expiries.delete(token);
    return false;
  }

  /** Lifetime of tokens issued from now on; tokens already issued keep theirs. */
  setTtlSeconds(ttlSeconds: number): void {
    this.ttlSeconds = ttlSeconds;
  }

  expireAll(): void {
    this.expiries.clear();
  }

  restoreDefaultLifetime(): void {
    this.ttlSeconds = this.defaultTtlSeconds;
  }
}
