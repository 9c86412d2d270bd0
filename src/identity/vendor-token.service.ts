import { HttpService } from '@nestjs/axios';
import { Injectable, Logger } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { GatewayConfig } from '../config/gateway-config';
import type { VendorAuthenticationRequest, VendorAuthenticationResponse } from './frontegg-api.types';
import { Metrics } from '../metrics/metrics.service';
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

/**
 * The environment's management token (`POST /auth/vendor`). It stays on the server, is reused
 * until it is due, and is renewed by one request at a time: every caller waiting for a token
 * shares the same renewal. While a still-usable token exists, renewal happens in the background
 * and no request waits for it.
 */
@Injectable()
export class VendorTokenService {
  private readonly logger = new Logger(VendorTokenService.name);
  private current?: VendorToken;
  private renewal?: Promise<VendorToken>;
  private readonly policies: UpstreamPolicies;

  constructor(
    private readonly http: HttpService,
    private readonly config: GatewayConfig,
    private readonly metrics: Metrics,
  ) {
    this.policies = new UpstreamPolicies('vendor-auth', metrics);
  }

  async token(): Promise<string> {
    const now = Date.now();
    const current = this.current;
    if (current && now < current.renewAt) return current.value;
    if (current && now < current.usableUntil) {
      this.renew().catch((error: unknown) => this.logger.warn({ err: error }, 'vendor token renewal failed; current token still valid'));
      return current.value;
    }
    return (await this.renew()).value;
  }

  /** After the upstream refused `rejected`: a fresh token, shared with whoever already renewed it. */
  async renewAfterRejection(rejected: string): Promise<string> {
    if (this.current && this.current.value !== rejected && Date.now() < this.current.usableUntil) {
      return this.current.value;
    }
    if (this.current?.value === rejected) this.current = undefined;
    return (await this.renew()).value;
  }

  /** A cached token that may still be sent (readiness must not force a renewal). */
  hasUsableToken(): boolean {
    return this.current !== undefined && Date.now() < this.current.usableUntil;
  }

  /** One renewal at a time; `POST /auth/vendor` is retried like an idempotent read. */
  private renew(): Promise<VendorToken> {
    this.renewal ??= this.policies
      .run(true, () => this.authenticate())
      .then(
        (token) => {
          this.metrics.vendorTokenRenewals.inc({ outcome: 'renewed' });
          return (this.current = token);
        },
        (error: unknown) => {
          this.metrics.vendorTokenRenewals.inc({ outcome: 'failed' });
          throw error;
        },
      )
      .finally(() => (this.renewal = undefined));
    return this.renewal;
  }

  private async authenticate(): Promise<VendorToken> {
    const { clientId, apiKey } = this.config.frontegg;
    const body: VendorAuthenticationRequest = { clientId, secret: apiKey };
    const requestedAt = Date.now();
    const response = await firstValueFrom(
      this.http.post<VendorAuthenticationResponse>('/auth/vendor', body, { headers: { 'content-type': 'application/json' } }),
    ).catch((error: unknown) => {
      throw upstreamTransportProblem('vendor authentication', error);
    });
    if (response.status !== 200 && response.status !== 201) {
      // A refused credential is the operator's problem, not the caller's: it maps to 502.
      throw upstreamAnswerProblem('vendor authentication', response);
    }
    const { token, expiresIn } = response.data ?? {};
    if (typeof token !== 'string' || token === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw upstreamShapeProblem('vendor authentication');
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
