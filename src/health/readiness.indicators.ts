import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { TokenVerifier } from '../auth/token-verifier.service';
import { GatewayConfig } from '../config/gateway-config';
import { EntitlementsSnapshotStore } from '../entitlements/entitlements-snapshot.store';
import { VendorTokenService } from '../identity/vendor-token.service';
import { REDIS, type SharedRedis } from '../redis/redis.module';
import { SharedStoreHealth } from '../redis/shared-store-health';
import { Lifecycle } from './lifecycle.service';

/** What readiness needs (CONTRACT §4.1): keys to verify tokens, a vendor token to call upstream, no shutdown. */
@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly verifier: TokenVerifier,
    private readonly vendorTokens: VendorTokenService,
    private readonly lifecycle: Lifecycle,
    @Inject(REDIS) private readonly redis: SharedRedis,
    private readonly sharedStoreHealth: SharedStoreHealth,
    private readonly entitlements: EntitlementsSnapshotStore,
    private readonly config: GatewayConfig,
  ) {}

  /** Whether there is an entitlements snapshot to report (ENTITLEMENTS=on). */
  get entitlementsEnabled(): boolean {
    return this.config.entitlements.enabled;
  }

  /**
   * Reported, never failing (CONTRACT §4.5): before the first snapshot the gateway still serves the
   * routes without a permission. `offset` is null until then; `ageS` is how long ago the snapshot was
   * last known current (loaded, or its offset found unchanged).
   */
  entitlementsSnapshot() {
    return this.indicators.check('entitlements').up(this.entitlements.status());
  }

  notShuttingDown() {
    const indicator = this.indicators.check('lifecycle');
    return this.lifecycle.isShuttingDown ? indicator.down({ reason: 'shutting down' }) : indicator.up();
  }

  async signingKeys() {
    const indicator = this.indicators.check('signingKeys');
    return (await this.verifier.hasSigningKeys()) ? indicator.up() : indicator.down({ reason: 'JWKS unavailable' });
  }

  /**
   * Reported, never failing: without Redis the gateway keeps answering with per-instance caches
   * and limits, so taking every instance out of the load balancer would be the outage.
   * `connected` means answering in time, not merely an open socket: a frozen Redis keeps those.
   */
  sharedStore() {
    const indicator = this.indicators.check('sharedStore');
    if (!this.redis) return indicator.up({ store: 'memory', mode: 'per-instance' });
    const shared = this.sharedStoreHealth.isShared;
    return indicator.up({ store: 'redis', connected: shared, state: shared ? 'ok' : 'degraded', mode: shared ? 'shared' : 'per-instance' });
  }

  /**
   * A valid cached token is enough; otherwise one renewal, but while vendor authentication fails
   * probes cause at most one POST /auth/vendor per 10 s (CONTRACT §5) and report the last failure.
   */
  async vendorToken() {
    const indicator = this.indicators.check('vendorToken');
    try {
      await this.vendorTokens.readyToken();
      return indicator.up();
    } catch {
      return indicator.down({ reason: 'vendor authentication failed' });
    }
  }
}
