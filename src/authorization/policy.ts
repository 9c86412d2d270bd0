import type { Type } from '@nestjs/common';
import type { Principal, TokenType } from '../auth/principal';
import type { RequestTrace } from '../common/http/request-trace';
import type { DenialReason } from '../common/problems/problem.exception';
import type { GatewayConfig } from '../config/gateway-config';
import { callerLevelOf, type FiniteLevel } from '../identity/role-level';
import type { Grants } from './grants';
import type { PermissionCatalogue } from './permission-catalogue.service';
import type { TenantDirectory } from './tenant-directory.service';

/** What a rule may answer besides a `403` reason, for the documentation. */
export type Refusal = DenialReason | 'step-up' | 'key-conflict' | 'member-conflict' | 'unknown-permission' | 'unknown-role';

/** Everything a rule may look at, prepared by the policy guard. */
export interface PolicyContext<Body = unknown> {
  readonly principal: Principal;
  readonly grants: Grants;
  readonly trace: RequestTrace;
  readonly params: Readonly<Record<string, string | undefined>>;
  /** The validated body (an instance of the policy's `body` class) when the policy has one. */
  readonly body: Body;
  readonly directory: TenantDirectory;
  readonly catalogue: PermissionCatalogue;
  readonly config: GatewayConfig;
}

/** The object a route acts on, loaded through the tenant-scoped accessor: never another tenant's. */
export interface PolicyTarget<Target> {
  readonly description: string;
  /** The `404` detail, the same for a missing object and one of another tenant. */
  readonly notFound?: string;
  /** What loading it may refuse besides the `404`. */
  readonly refusals?: readonly Refusal[];
  load(context: PolicyContext<unknown>): Promise<Target>;
}

/** One rule of a policy: throws the refusal, else returns. */
export interface PolicyRule<Target, Body = unknown> {
  readonly name: string;
  readonly refusals: readonly Refusal[];
  check(target: Target, context: PolicyContext<Body>): void | Promise<void>;
}

/**
 * What a route does to what, and every rule that decides it. The policy guard evaluates it in
 * this order: a verified caller, token type, grants (token or identity API), permission (held, and
 * entitled to by the tenant's plan with ENTITLEMENTS=on), recent
 * sign-in, body validation, target (tenant-scoped), then the rules, all before the handler runs.
 */
export interface Policy<Target = undefined, Body = unknown> {
  readonly name: string;
  /** Needed permission key (wildcard grants count). None: any verified caller of an allowed token type. */
  readonly permission?: string;
  /**
   * `session`: the route is about the browser session, so only the session cookie authenticates it
   * (a Bearer caller gets a 401). Absent: a Bearer token or the session cookie (CONTRACT §8).
   */
  readonly credentials?: 'session';
  /** Allowed token types; any verified type when absent. */
  readonly tokenTypes?: readonly TokenType[];
  /** The sign-in must be at most STEP_UP_MAX_AGE_S old (RFC 9470). */
  readonly recentSignIn?: boolean;
  /** Level rules need the caller's roles by id with their levels: resolved from the identity API, whatever AUTHZ_SOURCE says. */
  readonly callerRolesById?: boolean;
  /** For policies whose rules read the body: validated first, so rules see exactly what the handler will. */
  readonly body?: Type<Body>;
  readonly target?: PolicyTarget<Target>;
  readonly rules?: readonly PolicyRule<Target, Body>[];
}

/** The caller's strongest finite level in its tenant, from its roles by id; none: undefined, refused by every level rule. */
export function callerLevel(context: PolicyContext<unknown>): FiniteLevel | undefined {
  return callerLevelOf(context.grants.roles ?? []);
}

/** Declares a policy with its types checked: rules must fit the target and the body. */
export function definePolicy<Target = undefined, Body = unknown>(policy: Policy<Target, Body>): Policy<Target, Body> {
  return policy;
}
