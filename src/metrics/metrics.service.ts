import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * How a call to the identity API ended, as a label: a closed set that says whether the upstream
 * answered, never what it answered. Its status was the label before, and `/metrics` is readable
 * by more people than any tenant's data: a `200` (the user exists, in another tenant) and a `404`
 * (missing) moved different series behind byte-identical answers (CONTRACT §6). Every label of
 * every metric is such a closed set of the gateway's own words, or a route template.
 */
export type UpstreamOutcome = 'answered' | 'unauthorized' | 'throttled' | 'failed' | 'no_answer';

export function upstreamOutcomeOf(status: number): UpstreamOutcome {
  if (status === 0) return 'no_answer';
  if (status === 401) return 'unauthorized';
  if (status === 429) return 'throttled';
  return status >= 200 && status < 500 ? 'answered' : 'failed';
}

/** The gateway's Prometheus metrics, one registry per application instance. */
@Injectable()
export class Metrics implements OnModuleInit {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'gateway_http_request_duration_seconds',
    help: 'Time to answer a request, by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly upstreamDuration = new Histogram({
    name: 'gateway_upstream_request_duration_seconds',
    help: 'Time of one call to the identity API, by operation and outcome: answered (2xx, or 4xx but 401 and 429), unauthorized (401), throttled (429), failed (5xx), no_answer',
    labelNames: ['operation', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly vendorTokenRenewals = new Counter({
    name: 'gateway_vendor_token_renewals_total',
    help: 'POST /auth/vendor attempts, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly sessionEvents = new Counter({
    name: 'gateway_session_events_total',
    help: 'Browser sessions: started, refreshed, refresh_refused (the session ended), refresh_unavailable, logged_out',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly jwksFetches = new Counter({
    name: 'gateway_jwks_fetches_total',
    help: 'JWKS fetches, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly cacheLookups = new Counter({
    name: 'gateway_cache_lookups_total',
    help: 'Cache lookups, by cache and result (hit, miss, stale)',
    labelNames: ['cache', 'result'] as const,
    registers: [this.registry],
  });

  readonly breakerState = new Gauge({
    name: 'gateway_circuit_breaker_state',
    help: 'Circuit breaker per upstream: 0 closed, 1 open, 2 half-open, 3 isolated',
    labelNames: ['upstream'] as const,
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'gateway_rate_limited_requests_total',
    help: 'Requests answered 429 by the gateway itself, by kind of caller',
    labelNames: ['caller'] as const,
    registers: [this.registry],
  });

  readonly sharedStoreErrors = new Counter({
    name: 'gateway_shared_store_errors_total',
    help: 'Failed operations on the shared store (Redis), by use; the gateway carries on without it',
    labelNames: ['use'] as const,
    registers: [this.registry],
  });

  readonly sharedStoreTimeouts = new Counter({
    name: 'gateway_shared_store_timeouts_total',
    help: 'Shared store (Redis) commands that got no answer within REDIS_COMMAND_TIMEOUT_MS, by use (also counted as errors)',
    labelNames: ['use'] as const,
    registers: [this.registry],
  });

  readonly sharedStoreBypassed = new Counter({
    name: 'gateway_shared_store_bypassed_total',
    help: 'Operations served by the per-instance store without trying Redis, because the shared store is degraded, by use',
    labelNames: ['use'] as const,
    registers: [this.registry],
  });

  readonly sharedStoreDegraded = new Gauge({
    name: 'gateway_shared_store_degraded',
    help: '1 while Redis is configured but not answering (caches and rate limits per instance), else 0',
    registers: [this.registry],
  });

  readonly upstreamBudgetExceeded = new Counter({
    name: 'gateway_upstream_budget_exceeded_total',
    help: 'Requests whose upstream work stopped on a budget (CONTRACT §5): request deadline, answer too large, or client gone',
    labelNames: ['budget'] as const,
    registers: [this.registry],
  });

  readonly entitlementsChecks = new Counter({
    name: 'gateway_entitlements_checks_total',
    help: 'Entitlements snapshot checks (CONTRACT §4.5) by outcome: loaded, unchanged, failed or refused (both keep the last good snapshot)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly entitlementsOffset = new Gauge({
    name: 'gateway_entitlements_snapshot_offset',
    help: 'Offset of the entitlements snapshot in use',
    registers: [this.registry],
  });

  constructor(private readonly adapterHost: HttpAdapterHost) {
    collectDefaultMetrics({ register: this.registry, prefix: 'gateway_' });
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // One labelled series per method, route and status, looked up by a plain key: prom-client
    // would otherwise hash the label object on every answer.
    const series = new Map<string, { observe(seconds: number): void }>();
    fastify.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const key = `${request.method} ${route} ${reply.statusCode}`;
      let observer = series.get(key);
      if (!observer) {
        observer = this.httpDuration.labels({ method: request.method, route, status: reply.statusCode });
        series.set(key, observer);
      }
      observer.observe(reply.elapsedTime / 1000);
      done();
    });
  }
}
