import { HttpStatus } from '@nestjs/common';
import {
  BrokenCircuitError,
  CircuitState,
  ExponentialBackoff,
  SamplingBreaker,
  circuitBreaker,
  handleWhen,
  retry,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { ProblemException } from '../common/problems/problem.exception';
import type { Metrics } from '../metrics/metrics.service';
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
/** Retries (after the first attempt) of an idempotent call. */
export const MAX_RETRIES = 2;

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
 * call; for idempotent calls only, up to MAX_RETRIES retries with jittered exponential backoff.
 * A `429` is answered at once, never retried.
 */
export class UpstreamPolicies {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly idempotent: IPolicy;
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
    const retries = retry(handleWhen(isTransient), {
      maxAttempts: MAX_RETRIES,
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1_000 }),
    });
    // The breaker is outside the retries: one request that fails after its retries counts once.
    this.idempotent = wrap(this.breaker, retries);
  }

  async run<T>(idempotent: boolean, call: () => Promise<T>): Promise<T> {
    try {
      return await (idempotent ? this.idempotent : this.breaker).execute(call);
    } catch (error) {
      if (!(error instanceof BrokenCircuitError)) throw error;
      const retryAfter = Math.max(1, Math.ceil((this.openedAt + BREAKER_OPEN_MS - Date.now()) / 1000));
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'identity API is failing; retry later', {
        headers: { 'Retry-After': String(retryAfter) },
        cause: error,
      });
    }
  }
}
