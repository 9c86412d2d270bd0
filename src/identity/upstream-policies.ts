import { HttpStatus } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokenCircuitError, CircuitState, SamplingBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import { timeLeftMs } from '../common/http/request-trace';
import { ProblemException } from '../common/problems/problem.exception';
import type { Metrics } from '../metrics/metrics.service';
import { assertWithinBudget, type UpstreamBudget } from './upstream-budget';
import { UpstreamFailure } from './upstream-errors';

/**
 * A breaker opens when at least half of the requests of the last 10 s failed, once there were at
 * least 2 requests a second (20 in the window): a short blip under heavy traffic does not open it,
 * a sustained outage does. Then it stays open for BREAKER_OPEN_MS before a trial call.
 */
export const BREAKER_FAILURE_RATIO = 0.5;
export const BREAKER_WINDOW_MS = 10_000;
export const BREAKER_MINIMUM_RPS = 2;
export const BREAKER_OPEN_MS = 5_000;
/**
 * Retries (after the first attempt) of a read that failed fast (5xx, connection refused or reset):
 * cheap, and what gets a read through a blip. A timed-out attempt is retried at most once
 * (TIMEOUT_RETRIES): two timeouts say the upstream is not answering, and waiting longer only holds
 * the client. Every retry is inside the request's deadline; writes are never retried.
 */
export const MAX_RETRIES = 2;
export const TIMEOUT_RETRIES = 1;
/** Jittered exponential backoff between attempts: 50 ms, 100 ms, ... at most 1 s. */
const BACKOFF_INITIAL_MS = 50;
const BACKOFF_MAX_MS = 1_000;

/** Failures that say the upstream is unwell (see UpstreamFailure). A 429 or any 4xx is not one. */
function isTransient(error: Error): boolean {
  return error instanceof UpstreamFailure && error.transient;
}

const STATE_VALUE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.Open]: 1,
  [CircuitState.HalfOpen]: 2,
  [CircuitState.Isolated]: 3,
};

/**
 * Resilience for one upstream: a circuit breaker that opens when most recent requests failed,
 * fails fast with `503` + `Retry-After` while open and closes again by itself after a trial
 * call; for idempotent calls only, retries with jittered exponential backoff (MAX_RETRIES, a
 * timeout at most TIMEOUT_RETRIES times), none that would start past the budget's deadline or
 * after its client left. A `429` is answered at once, never retried.
 */
export class UpstreamPolicies {
  private readonly breaker: CircuitBreakerPolicy;
  private openedAt = 0;

  constructor(upstream: string, metrics: Metrics) {
    this.breaker = circuitBreaker(handleWhen(isTransient), {
      halfOpenAfter: BREAKER_OPEN_MS,
      breaker: new SamplingBreaker({ threshold: BREAKER_FAILURE_RATIO, duration: BREAKER_WINDOW_MS, minimumRps: BREAKER_MINIMUM_RPS }),
    });
    this.breaker.onStateChange((state) => {
      if (state === CircuitState.Open) this.openedAt = Date.now();
      metrics.breakerState.set({ upstream }, STATE_VALUE[state]);
    });
    metrics.breakerState.set({ upstream }, STATE_VALUE[CircuitState.Closed]);
  }

  /** `call` is one attempt; it bounds its own wait by the budget's time left. */
  async run<T>(idempotent: boolean, budget: UpstreamBudget, operation: string, call: () => Promise<T>): Promise<T> {
    try {
      // The breaker is outside the retries: one request that fails after its retries counts once.
      return await this.breaker.execute(() => (idempotent ? this.withRetries(budget, operation, call) : this.attempt(budget, operation, call)));
    } catch (error) {
      if (!(error instanceof BrokenCircuitError)) throw error;
      const retryAfter = Math.max(1, Math.ceil((this.openedAt + BREAKER_OPEN_MS - Date.now()) / 1000));
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'identity API is failing; retry later', {
        headers: { 'Retry-After': String(retryAfter) },
        cause: error,
      });
    }
  }

  private attempt<T>(budget: UpstreamBudget, operation: string, call: () => Promise<T>): Promise<T> {
    assertWithinBudget(budget, operation);
    return call();
  }

  private async withRetries<T>(budget: UpstreamBudget, operation: string, call: () => Promise<T>): Promise<T> {
    let timeouts = 0;
    for (let retries = 0; ; retries++) {
      try {
        return await this.attempt(budget, operation, call);
      } catch (error) {
        if (!(error instanceof UpstreamFailure) || !error.transient || retries >= MAX_RETRIES) throw error;
        if (error.timedOut && ++timeouts > TIMEOUT_RETRIES) throw error;
        const backoffMs = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** retries) * (0.5 + Math.random() / 2);
        // A retry that could not start before the deadline is not made: the failure is the answer.
        if (timeLeftMs(budget) <= backoffMs || budget.signal?.aborted) throw error;
        await sleep(backoffMs);
      }
    }
  }
}
