import { HttpStatus, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { traceOf } from '../common/http/request-trace';
import { ProblemException } from '../common/problems/problem.exception';
import { GatewayConfig } from '../config/gateway-config';
import { IdentityClient } from '../identity/identity.client';
import { Metrics } from '../metrics/metrics.service';
import { parseSnapshot, SNAPSHOT_MAX_BYTES, SnapshotRejected, type EntitlementsSnapshot } from './snapshot';

/** Until a first snapshot is loaded, a failed load is tried again this soon (or at ENTITLEMENTS_REFRESH_S, if sooner). */
const FIRST_LOAD_RETRY_S = 5;
/**
 * Start-up waits this long at most for the first snapshot, so that a gateway that just started does
 * not answer its first permission checks with 503 when the snapshot is a moment away. A silent
 * entitlements service delays the start by this much, never a request.
 */
const FIRST_LOAD_WAIT_MS = 3_000;

/**
 * The environment's entitlements snapshot, kept as Frontegg's SDKs keep it (CONTRACT §4.5): every
 * ENTITLEMENTS_REFRESH_S the offset is asked, and the snapshot reloaded only when it moved. All of it
 * happens on a timer, off the request path: requests read the last good snapshot and never wait on
 * the entitlements service. A failed, refused or oversized reload keeps the last good snapshot
 * (logged, counted in /metrics) and is tried again at the next check, indefinitely.
 */
@Injectable()
export class EntitlementsSnapshotStore implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Entitlements');
  private snapshot?: EntitlementsSnapshot;
  /** When the snapshot was last known current: loaded, or its offset found unchanged (ms since the epoch). */
  private confirmedAt = 0;
  private nextCheckAt = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly identity: IdentityClient,
    private readonly metrics: Metrics,
    private readonly config: GatewayConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.entitlements.enabled) return;
    let startWaited: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (startWaited = setTimeout(resolve, FIRST_LOAD_WAIT_MS).unref()));
    await Promise.race([this.runCheck(), waited]);
    clearTimeout(startWaited);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** The last good snapshot; before the first load a `503` with Retry-After (the next attempt). */
  current(): EntitlementsSnapshot {
    if (this.snapshot) return this.snapshot;
    const retryAfterS = Math.max(1, Math.ceil((this.nextCheckAt - Date.now()) / 1000));
    throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'entitlements are not loaded yet', { headers: { 'retry-after': String(retryAfterS) } });
  }

  /** For readiness: the snapshot's offset (null before the first load) and how long ago it was last known current. */
  status(): { offset: number | null; ageS: number | null } {
    if (!this.snapshot) return { offset: null, ageS: null };
    return { offset: this.snapshot.offset, ageS: Math.floor((Date.now() - this.confirmedAt) / 1000) };
  }

  /** One check: the offset, then the snapshot when the offset moved. Exposed for tests; the timer calls it. */
  async check(): Promise<void> {
    try {
      const trace = traceOf(undefined, { deadlineMs: this.config.requestDeadlineMs });
      const { snapshotOffset } = await this.identity.entitlementsOffset(trace);
      if (this.snapshot && snapshotOffset === this.snapshot.offset) {
        this.confirmedAt = Date.now();
        this.metrics.entitlementsChecks.inc({ outcome: 'unchanged' });
        return;
      }
      const body = await this.identity.entitlementsSnapshot(SNAPSHOT_MAX_BYTES, traceOf(undefined, { deadlineMs: this.config.requestDeadlineMs }));
      const snapshot = parseSnapshot(body);
      this.snapshot = snapshot;
      this.confirmedAt = Date.now();
      this.metrics.entitlementsChecks.inc({ outcome: 'loaded' });
      this.metrics.entitlementsOffset.set(snapshot.offset);
      this.logger.log({ offset: snapshot.offset, tuples: snapshot.tupleCount }, 'entitlements snapshot loaded');
    } catch (error) {
      const refused = error instanceof SnapshotRejected;
      this.metrics.entitlementsChecks.inc({ outcome: refused ? 'refused' : 'failed' });
      const kept = this.snapshot ? `keeping offset ${this.snapshot.offset}` : 'none loaded yet';
      this.logger.warn({ err: error }, `entitlements snapshot ${refused ? 'refused' : 'check failed'}; ${kept}`);
    }
  }

  /** A check, then the next one scheduled: one chain of checks, never two at once. */
  private async runCheck(): Promise<void> {
    await this.check();
    const refreshS = this.config.entitlements.refreshS;
    this.scheduleCheck(1000 * (this.snapshot ? refreshS : Math.min(refreshS, FIRST_LOAD_RETRY_S)));
  }

  private scheduleCheck(delayMs: number): void {
    if (this.stopped) return;
    this.nextCheckAt = Date.now() + delayMs;
    // A pending check never keeps the process alive.
    this.timer = setTimeout(() => void this.runCheck(), delayMs).unref();
  }
}
