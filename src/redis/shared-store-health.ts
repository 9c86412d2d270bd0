import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { BrokenCircuitError, circuitBreaker, CircuitState, ConsecutiveBreaker, handleAll, type CircuitBreakerPolicy } from 'cockatiel';
import { Metrics } from '../metrics/metrics.service';
import { REDIS, type SharedRedis } from './redis.token';

/** What the shared store is used for, as counted in the metrics. */
export type SharedStoreUse = 'cache' | 'rate-limit' | 'sessions' | 'locks';

/**
 * How long the shared store is skipped after a failure before one command tries it again. Without
 * this pause every request would pay the full command timeout (once per Redis command) while Redis
 * is silent; with it, requests answer at per-instance speed and only the probe waits.
 */
export const SHARED_STORE_RETRY_AFTER_MS = 1_000;

/** Thrown instead of waiting: the caller uses its per-instance store. */
export class SharedStoreUnavailable extends Error {
  constructor(cause?: unknown) {
    super('shared store unavailable', { cause });
  }
}

const isTimeout = (error: unknown) => error instanceof Error && error.message === 'Command timed out';

/**
 * Whether Redis answers, and the one way to use it. A command that fails or gets no answer within
 * REDIS_COMMAND_TIMEOUT_MS opens a breaker: Redis is then skipped (the caller falls back to its
 * per-instance store) until a background PING, once a SHARED_STORE_RETRY_AFTER_MS, is answered in
 * time. "Connected" alone says nothing: a frozen Redis keeps its connection open and never answers.
 */
@Injectable()
export class SharedStoreHealth implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('SharedStore');
  private readonly breaker: CircuitBreakerPolicy;
  private probe?: NodeJS.Timeout;
  private reportedShared = true;
  private stopping = false;

  constructor(
    @Inject(REDIS) private readonly redis: SharedRedis,
    private readonly metrics: Metrics,
  ) {
    this.breaker = circuitBreaker(handleAll, { halfOpenAfter: SHARED_STORE_RETRY_AFTER_MS, breaker: new ConsecutiveBreaker(1) });
    if (!redis) return;
    this.breaker.onBreak((reason) => {
      // Commands that timed out stay queued behind a silent socket until it answers: a fresh
      // connection drops them (they were already answered as failures) and has to pass the
      // ready check, itself bounded by the command timeout, before Redis is used again.
      if ('error' in reason && isTimeout(reason.error) && redis.status === 'ready') redis.disconnect(true);
      this.probeEvery(SHARED_STORE_RETRY_AFTER_MS);
    });
    this.breaker.onStateChange(() => this.report());
    for (const event of ['ready', 'close', 'end'] as const) redis.on(event, () => this.report());
    this.report();
  }

  /** Redis configured, connected, and answering in time: state is shared by every instance. */
  get isShared(): boolean {
    return this.redis !== null && this.redis.status === 'ready' && this.breaker.state === CircuitState.Closed;
  }

  /**
   * Runs one operation on Redis, or throws SharedStoreUnavailable at once while Redis is not
   * answering. Never waits longer than the command timeout per Redis command.
   */
  async run<T>(use: SharedStoreUse, operation: () => Promise<T>): Promise<T> {
    if (!this.isShared) {
      this.metrics.sharedStoreBypassed.inc({ use });
      throw new SharedStoreUnavailable();
    }
    try {
      return await this.breaker.execute(operation);
    } catch (error) {
      if (error instanceof BrokenCircuitError) this.metrics.sharedStoreBypassed.inc({ use });
      else {
        this.metrics.sharedStoreErrors.inc({ use });
        if (isTimeout(error)) this.metrics.sharedStoreTimeouts.inc({ use });
      }
      throw new SharedStoreUnavailable(error);
    }
  }

  /** Before the connection is closed: closing it ourselves is no outage to report. */
  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  onApplicationShutdown(): void {
    this.stopProbing();
  }

  private probeEvery(intervalMs: number): void {
    this.probe ??= setInterval(() => {
      if (this.breaker.state === CircuitState.Closed) return this.stopProbing();
      // While reconnecting, ioredis's own ready check (bounded by the command timeout) is the probe.
      if (this.redis?.status !== 'ready') return;
      this.breaker.execute(() => this.redis!.ping()).catch((error: unknown) => {
        if (error instanceof BrokenCircuitError) return;
        this.metrics.sharedStoreErrors.inc({ use: 'probe' });
        if (isTimeout(error)) this.metrics.sharedStoreTimeouts.inc({ use: 'probe' });
      });
    }, intervalMs).unref();
  }

  private stopProbing(): void {
    clearInterval(this.probe);
    this.probe = undefined;
  }

  private report(): void {
    if (this.stopping) return;
    const shared = this.isShared;
    this.metrics.sharedStoreDegraded.set(this.redis && !shared ? 1 : 0);
    if (shared === this.reportedShared) return;
    this.reportedShared = shared;
    if (shared) this.logger.log('Redis answering again: caches and rate limits shared by every instance again');
    else this.logger.warn('Redis not answering: caches and rate limits per instance until it answers again');
  }
}
