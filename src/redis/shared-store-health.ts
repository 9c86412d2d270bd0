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
 * time, and the recovery steps (beforeSharingAgain) have run on it. "Connected" alone says
 * nothing: a frozen Redis keeps its connection open and never answers.
 */
@Injectable()
export class SharedStoreHealth implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('SharedStore');
  private readonly breaker: CircuitBreakerPolicy;
  private probe?: NodeJS.Timeout;
  private probing = false;
  private reportedShared = true;
  private stopping = false;
  /**
   * Set when Redis stopped answering (a failed command, a lost connection); cleared once the
   * steps registered with `beforeSharingAgain` have run on the Redis that came back. Until then
   * this instance keeps its state to itself, even though Redis answers.
   */
  private recoveryPending = false;
  private readonly recoverySteps: (() => Promise<void>)[] = [];

  constructor(
    @Inject(REDIS) private readonly redis: SharedRedis,
    private readonly metrics: Metrics,
  ) {
    this.breaker = circuitBreaker(handleAll, { halfOpenAfter: SHARED_STORE_RETRY_AFTER_MS, breaker: new ConsecutiveBreaker(1) });
    if (!redis) return;
    this.breaker.onBreak((reason) => {
      this.outage();
      // Commands that timed out stay queued behind a silent socket until it answers: a fresh
      // connection drops them (they were already answered as failures) and has to pass the
      // ready check, itself bounded by the command timeout, before Redis is used again.
      if ('error' in reason && isTimeout(reason.error) && redis.status === 'ready') redis.disconnect(true);
    });
    this.breaker.onStateChange(() => this.report());
    // A lost connection is an outage even when no command of this instance failed meanwhile.
    redis.on('close', () => this.stopping || this.outage());
    for (const event of ['ready', 'close', 'end'] as const) redis.on(event, () => this.report());
    this.report();
  }

  /**
   * Redis configured, connected, answering in time, and recovered from any outage: state is
   * shared by every instance.
   */
  get isShared(): boolean {
    return this.redis !== null && this.redis.status === 'ready' && this.breaker.state === CircuitState.Closed && !this.recoveryPending;
  }

  /**
   * Work to do on Redis after an outage, before this instance uses it again (CONTRACT §6: a
   * change made while Redis was away is never undone by Redis coming back). Run by the recovery
   * probe, after a PING; when a step fails, the instance stays per-instance and tries again.
   */
  beforeSharingAgain(step: () => Promise<void>): void {
    this.recoverySteps.push(step);
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

  private outage(): void {
    this.recoveryPending = true;
    this.probeEvery(SHARED_STORE_RETRY_AFTER_MS);
    this.report();
  }

  private probeEvery(intervalMs: number): void {
    this.probe ??= setInterval(() => {
      if (this.breaker.state === CircuitState.Closed && !this.recoveryPending) return this.stopProbing();
      // While reconnecting, ioredis's own ready check (bounded by the command timeout) is the probe.
      if (this.redis?.status !== 'ready' || this.probing) return;
      this.probing = true;
      this.breaker
        .execute(async () => {
          await this.redis!.ping();
          if (!this.recoveryPending) return;
          for (const step of this.recoverySteps) await step();
          this.recoveryPending = false;
          this.report();
        })
        .catch((error: unknown) => {
          if (error instanceof BrokenCircuitError) return;
          this.metrics.sharedStoreErrors.inc({ use: 'probe' });
          if (isTimeout(error)) this.metrics.sharedStoreTimeouts.inc({ use: 'probe' });
        })
        .finally(() => (this.probing = false));
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
