import { HttpService } from '@nestjs/axios';
import { Injectable, Logger } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { timeLeftMs } from '../common/http/request-trace';
import { GatewayConfig } from '../config/gateway-config';
import type { VendorAuthenticationRequest, VendorAuthenticationResponse } from './frontegg-api.types';
import { Metrics } from '../metrics/metrics.service';
import { budgetFor, waitWithin, type UpstreamBudget } from './upstream-budget';
import { upstreamAnswerProblem, upstreamShapeProblem, upstreamTransportProblem } from './upstream-errors';
import { UpstreamPolicies } from './upstream-policies';

interface VendorToken {
  value: string;
  /** From here on the token is renewed (less than 20 % of its lifetime left). */
  renewAt: number;
  /** From here on it is never sent: the safety margin covers the request's own flight time. */
  usableUntil: number;
}

const RENEW_AT_LIFETIME_FRACTION = 0.8;
/** While vendor authentication fails, readiness probes start at most one renewal per this period (CONTRACT §5). */
export const READINESS_RENEWAL_INTERVAL_MS = 10_000;
/** How long a probe waits for a renewal: less than the probes' own timeout (3 s in compose and Kubernetes). */
export const READINESS_WAIT_MS = 2_000;
const OPERATION = 'vendor authentication';

/**
 * The environment's management token (`POST /auth/vendor`). It stays on the server, is reused
 * until it is due, and is renewed by one request at a time: every caller waiting for a token
 * shares the same renewal. While a still-usable token exists, renewal happens in the background
 * and no request waits for it. A renewal has a budget of its own (REQUEST_DEADLINE_MS); each
 * caller waits for it only within its own budget, and giving up never cancels it for the others.
 */
@Injectable()
export class VendorTokenService {
  private readonly logger = new Logger(VendorTokenService.name);
  private current?: VendorToken;
  private renewal?: Promise<VendorToken>;
  /** The last renewal's failure, until one succeeds: what readiness probes report in between. */
  private lastFailure?: { error: unknown; at: number };
  private readonly policies: UpstreamPolicies;

  constructor(
    private readonly http: HttpService,
    private readonly config: GatewayConfig,
    private readonly metrics: Metrics,
  ) {
    this.policies = new UpstreamPolicies('vendor-auth', metrics);
  }

  /** A token to send now; waits for a renewal only within `budget` (the caller's request's). */
  async token(budget: UpstreamBudget = this.ownBudget()): Promise<string> {
    const now = Date.now();
    const current = this.current;
    if (current && now < current.renewAt) return current.value;
    if (current && now < current.usableUntil) {
      this.renew().catch((error: unknown) => this.logger.warn({ err: error }, 'vendor token renewal failed; current token still valid'));
      return current.value;
    }
    return (await waitWithin(this.renew(), budget, OPERATION)).value;
  }

  /** After the upstream refused `rejected`: a fresh token, shared with whoever already renewed it. */
  async renewAfterRejection(rejected: string, budget: UpstreamBudget = this.ownBudget()): Promise<string> {
    if (this.current && this.current.value !== rejected && Date.now() < this.current.usableUntil) {
      return this.current.value;
    }
    if (this.current?.value === rejected) this.current = undefined;
    return (await waitWithin(this.renew(), budget, OPERATION)).value;
  }

  /** A cached token that may still be sent (readiness must not force a renewal). */
  hasUsableToken(): boolean {
    return this.current !== undefined && Date.now() < this.current.usableUntil;
  }

  /**
   * For readiness probes (public, unthrottled): a usable token, else one renewal, but while vendor
   * authentication fails at most one per READINESS_RENEWAL_INTERVAL_MS: in between, the last
   * failure is reported again. Renewals for requests are not held back by this.
   */
  async readyToken(): Promise<void> {
    if (this.hasUsableToken()) return;
    const failure = this.lastFailure;
    if (failure && performance.now() - failure.at < READINESS_RENEWAL_INTERVAL_MS) throw failure.error;
    await this.token(budgetFor(READINESS_WAIT_MS));
  }

  /** One renewal at a time; `POST /auth/vendor` is retried like an idempotent read. */
  private renew(): Promise<VendorToken> {
    this.renewal ??= this.startRenewal();
    return this.renewal;
  }

  private startRenewal(): Promise<VendorToken> {
    const budget = this.ownBudget();
    return this.policies
      .run(true, budget, OPERATION, () => this.authenticate(budget))
      .then(
        (token) => {
          this.metrics.vendorTokenRenewals.inc({ outcome: 'renewed' });
          this.lastFailure = undefined;
          return (this.current = token);
        },
        (error: unknown) => {
          this.metrics.vendorTokenRenewals.inc({ outcome: 'failed' });
          this.lastFailure = { error, at: performance.now() };
          throw error;
        },
      )
      .finally(() => (this.renewal = undefined));
  }

  /** Shared renewals and probes belong to no request: they get REQUEST_DEADLINE_MS of their own. */
  private ownBudget(): UpstreamBudget {
    return budgetFor(this.config.requestDeadlineMs);
  }

  private async authenticate(budget: UpstreamBudget): Promise<VendorToken> {
    const { clientId, apiKey } = this.config.frontegg;
    const body: VendorAuthenticationRequest = { clientId, secret: apiKey };
    const requestedAt = Date.now();
    const timeout = Math.max(1, Math.min(this.config.upstreamTimeoutMs, Math.floor(timeLeftMs(budget))));
    const response = await firstValueFrom(
      this.http.post<VendorAuthenticationResponse>('/auth/vendor', body, { headers: { 'content-type': 'application/json' }, timeout }),
    ).catch((error: unknown) => {
      throw upstreamTransportProblem(OPERATION, error);
    });
    if (response.status !== 200 && response.status !== 201) {
      // A refused credential is the operator's problem, not the caller's: it maps to 502.
      throw upstreamAnswerProblem(OPERATION, response);
    }
    const { token, expiresIn } = response.data ?? {};
    if (typeof token !== 'string' || token === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw upstreamShapeProblem(OPERATION);
    }
    const lifetimeMs = expiresIn * 1000;
    const margin = Math.min(5_000, lifetimeMs * 0.1);
    this.logger.log({ expiresIn }, 'vendor token obtained');
    return {
      value: token,
      renewAt: requestedAt + lifetimeMs * RENEW_AT_LIFETIME_FRACTION,
      usableUntil: requestedAt + lifetimeMs - margin,
    };
  }
}
