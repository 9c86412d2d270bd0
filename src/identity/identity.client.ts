import { Injectable } from '@nestjs/common';
import { ProblemException } from '../common/problems/problem.exception';
import { outgoingTraceparent, recordUpstreamCall, timeLeftMs, type RequestTrace } from '../common/http/request-trace';
import { GatewayConfig } from '../config/gateway-config';
import { PATH_ID_PATTERN } from '../common/validation/path-id';
import type {
  FronteggAddRoleRequest,
  FronteggPermission,
  FronteggRole,
  FronteggUpdateRoleRequest,
  FronteggUpdateUserRequest,
  FronteggUser,
  FronteggCreateUserRequest,
  FronteggUserCreated,
  FronteggUsersPage,
  FronteggUsersQuery,
  FronteggUserTenantData,
  VendorEntitlementsOffsetResponse,
} from './frontegg-api.types';
import { Metrics, upstreamOutcomeOf } from '../metrics/metrics.service';
import { withRoleLevel, withRoleLevels } from './role-level';
import { budgetOf, type UpstreamBudget } from './upstream-budget';
import {
  budgetExceededBy,
  clientGoneProblem,
  deadlineExceededProblem,
  upstreamAnswerProblem,
  upstreamShapeProblem,
  upstreamTransportProblem,
  UpstreamFailure,
} from './upstream-errors';
import { UndiciTransport, type UpstreamAnswer } from './undici-adapter';
import { UpstreamPolicies } from './upstream-policies';
import { VendorTokenService } from './vendor-token.service';

const IDENTITY = '/identity/resources';
const ENTITLEMENTS = '/entitlements/api/v1';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface UpstreamRequest {
  method: Method;
  url: string;
  headers?: Record<string, string>;
  data?: unknown;
  /** Largest answer read; UPSTREAM_MAX_RESPONSE_BYTES when absent. */
  maxBytes?: number;
}

/** Sent on every call, besides the token, the trace and the request's own (the axios instance's defaults, before). */
const DEFAULT_HEADERS = { accept: 'application/json', 'user-agent': 'frontegg-identity-gateway' } as const;

/**
 * The only code that talks to Frontegg's management API. Each request is built here from typed
 * arguments, so nothing a client sent (headers, extra fields) can travel upstream; the vendor
 * token is added here and nowhere else.
 */
@Injectable()
export class IdentityClient {
  private readonly policies: UpstreamPolicies;
  /** Frontegg's entitlements service has a breaker of its own: its outage must not fail identity calls. */
  private readonly entitlementsPolicies: UpstreamPolicies;
  private readonly seriesByKey = new Map<string, { observe(seconds: number): void }>();
  private readonly origin: string;
  /** FRONTEGG_API_URL's path, if it has one, before every call's path. */
  private readonly basePath: string;

  constructor(
    private readonly transport: UndiciTransport,
    private readonly vendorTokens: VendorTokenService,
    private readonly metrics: Metrics,
    private readonly config: GatewayConfig,
  ) {
    this.policies = new UpstreamPolicies('identity-api', metrics);
    this.entitlementsPolicies = new UpstreamPolicies('entitlements-api', metrics);
    const base = new URL(config.frontegg.apiUrl);
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, '');
  }

  // Every answer that carries roles has their levels read here, where roles enter the gateway (role-level.ts).

  async getUser(userId: string, trace: RequestTrace): Promise<FronteggUser> {
    return withRoleLevels(await this.call('get user', { method: 'GET', url: `${IDENTITY}/vendor-only/users/v1/${segment(userId)}` }, isObject, trace));
  }

  async updateUser(userId: string, body: FronteggUpdateUserRequest, trace: RequestTrace): Promise<FronteggUser> {
    return withRoleLevels(await this.call('update user', { method: 'PUT', url: `${IDENTITY}/users/v1/${segment(userId)}`, data: body }, isObject, trace));
  }

  /** Environment-wide roles and those of `tenantId` (the upstream decides which; the caller filters again). */
  async listRoles(tenantId: string, trace: RequestTrace): Promise<FronteggRole[]> {
    const roles = await this.call<FronteggRole<unknown>[]>('list roles', { method: 'GET', url: `${IDENTITY}/roles/v1`, headers: tenantHeader(tenantId) }, Array.isArray, trace);
    return roles.map(withRoleLevel);
  }

  listPermissions(trace: RequestTrace): Promise<FronteggPermission[]> {
    return this.call('list permissions', { method: 'GET', url: `${IDENTITY}/permissions/v1` }, Array.isArray, trace);
  }

  /** Creates roles in `tenantId` (the upstream takes and answers an array). */
  async createRoles(tenantId: string, roles: FronteggAddRoleRequest[], trace: RequestTrace): Promise<FronteggRole[]> {
    const request = { method: 'POST', url: `${IDENTITY}/roles/v1`, headers: tenantHeader(tenantId), data: roles } as const;
    return (await this.call<FronteggRole<unknown>[]>('create role', request, Array.isArray, trace)).map(withRoleLevel);
  }

  async updateRole(tenantId: string, roleId: string, changes: FronteggUpdateRoleRequest, trace: RequestTrace): Promise<FronteggRole> {
    const request = { method: 'PATCH', url: roleUrl(roleId), headers: tenantHeader(tenantId), data: changes } as const;
    return withRoleLevel(await this.call('update role', request, isObject, trace));
  }

  async deleteRole(tenantId: string, roleId: string, trace: RequestTrace): Promise<void> {
    await this.call('delete role', { method: 'DELETE', url: roleUrl(roleId), headers: tenantHeader(tenantId) }, anyBody, trace);
  }

  /**
   * Deletes a role where the upstream put it, for undoing a creation that landed outside the
   * caller's tenant: scoped to the role's own tenant, and without `frontegg-tenant-id` for an
   * environment-wide role (the official document relates a role to a tenant by that header only).
   */
  async deleteRoleWhereCreated(role: Pick<FronteggRole, 'id' | 'tenantId'>, trace: RequestTrace): Promise<void> {
    const headers = role.tenantId ? tenantHeader(role.tenantId) : undefined;
    await this.call('delete role', { method: 'DELETE', url: roleUrl(role.id), headers }, anyBody, trace);
  }

  /** Replaces the role's permissions with exactly `permissionIds`. */
  async setRolePermissions(tenantId: string, roleId: string, permissionIds: string[], trace: RequestTrace): Promise<FronteggRole> {
    const request = { method: 'PUT', url: `${roleUrl(roleId)}/permissions`, headers: tenantHeader(tenantId), data: { permissionIds } } as const;
    return withRoleLevel(await this.call('set role permissions', request, isObject, trace));
  }

  /** One page of the tenant's users (the upstream decides who is in it; the caller filters again). */
  listUsers(tenantId: string, query: FronteggUsersQuery, trace: RequestTrace): Promise<FronteggUsersPage> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
    const request = { method: 'GET', url: `${IDENTITY}/users/v3?${search.toString()}`, headers: tenantHeader(tenantId) } as const;
    return this.call('list users', request, isUsersPage, trace);
  }

  /** Invites a user into `tenantId` (a new user, or one of another tenant who gains a membership). */
  inviteUser(tenantId: string, invitation: FronteggCreateUserRequest, trace: RequestTrace): Promise<FronteggUserCreated> {
    const request = { method: 'POST', url: `${IDENTITY}/users/v2`, headers: tenantHeader(tenantId), data: invitation } as const;
    return this.call('invite user', request, isObject, trace);
  }

  /** Removes the user from `tenantId` only: without the tenant header the upstream would remove it everywhere. */
  async removeUserFromTenant(tenantId: string, userId: string, trace: RequestTrace): Promise<void> {
    await this.call('remove user', { method: 'DELETE', url: `${IDENTITY}/users/v1/${segment(userId)}`, headers: tenantHeader(tenantId) }, anyBody, trace);
  }

  /** Assigns (`POST`) or unassigns (`DELETE`) roles of the user's membership in `tenantId`. */
  async changeUserRoles(tenantId: string, userId: string, change: 'assign' | 'unassign', roleIds: string[], trace: RequestTrace): Promise<void> {
    const method = change === 'assign' ? 'POST' : 'DELETE';
    const request = { method, url: `${IDENTITY}/users/v1/${segment(userId)}/roles`, headers: tenantHeader(tenantId), data: { roleIds } } as const;
    await this.call(`${change} user roles`, request, anyBody, trace);
  }

  /** The tenants the user belongs to. */
  listUserTenants(userId: string, trace: RequestTrace): Promise<FronteggUserTenantData[]> {
    const request = { method: 'GET', url: `${IDENTITY}/users/v2/me/tenants`, headers: userHeader(userId) } as const;
    return this.call('list user tenants', request, Array.isArray, trace);
  }

  /** Makes `tenantId` the user's active tenant (where its next token refresh lands); `fromTenantId` is the token's. */
  async switchActiveTenant(userId: string, fromTenantId: string, tenantId: string, trace: RequestTrace): Promise<void> {
    const headers = { ...userHeader(userId), ...tenantHeader(fromTenantId) };
    await this.call('switch active tenant', { method: 'PUT', url: `${IDENTITY}/users/v1/tenant`, headers, data: { tenantId } }, isObject, trace);
  }

  /** Removes every MFA device of the user, in all of its tenants. */
  async unenrollMfa(userId: string, trace: RequestTrace): Promise<void> {
    const request = { method: 'POST', url: `${IDENTITY}/vendor-only/users/v1/${segment(userId)}/mfa/unenroll` } as const;
    await this.call('unenroll MFA', request, anyBody, trace);
  }

  /** The entitlements snapshot's offset: cheap, asked every ENTITLEMENTS_REFRESH_S (CONTRACT §4.5). */
  entitlementsOffset(trace: RequestTrace): Promise<VendorEntitlementsOffsetResponse> {
    const request = { method: 'GET', url: `${ENTITLEMENTS}/vendor-entitlements-snapshot-offset` } as const;
    return this.call('entitlements offset', request, isObject, trace, this.entitlementsPolicies);
  }

  /** The whole entitlements snapshot, unchecked (the caller validates it), read up to `maxBytes`. */
  entitlementsSnapshot(maxBytes: number, trace: RequestTrace): Promise<unknown> {
    const request = { method: 'GET', url: `${ENTITLEMENTS}/vendor-entitlements`, maxBytes } as const;
    return this.call('entitlements snapshot', request, isObject, trace, this.entitlementsPolicies);
  }

  /**
   * Sends with the vendor token; a `401` renews the token once and retries once. Reads are
   * retried on upstream failures; every call goes through the upstream's circuit breaker. All of
   * it (token, attempts, retries) fits in the request's deadline, and stops when its client leaves.
   */
  private call<T>(
    operation: string,
    request: UpstreamRequest,
    hasExpectedShape: (body: unknown) => boolean,
    trace: RequestTrace,
    policies = this.policies,
  ): Promise<T> {
    const budget = budgetOf(trace);
    const work = policies.run(request.method === 'GET', budget, operation, async () => {
      const token = await this.vendorTokens.token(budget).catch(notRetriedAgain);
      let response = await this.send(operation, request, token, trace, budget);
      if (response.status === 401) {
        response = await this.send(operation, request, await this.vendorTokens.renewAfterRejection(token, budget).catch(notRetriedAgain), trace, budget);
      }
      if (response.status < 200 || response.status >= 300) throw upstreamAnswerProblem(operation, response);
      if (response.status !== 204 && !hasExpectedShape(response.data)) throw upstreamShapeProblem(operation);
      return response.data as T;
    });
    return work.catch((error: unknown) => {
      const budgetExceeded = budgetExceededBy(error);
      if (budgetExceeded) this.metrics.upstreamBudgetExceeded.inc({ budget: budgetExceeded });
      throw error;
    });
  }

  private async send(operation: string, request: UpstreamRequest, token: string, trace: RequestTrace, budget: UpstreamBudget): Promise<UpstreamAnswer> {
    // One attempt gets UPSTREAM_TIMEOUT_MS, or less when the request's deadline comes first.
    const timeLeft = Math.floor(timeLeftMs(budget));
    if (budget.signal?.aborted) throw clientGoneProblem(operation);
    if (timeLeft <= 0) throw deadlineExceededProblem(operation);
    const cutByDeadline = timeLeft < this.config.upstreamTimeoutMs;
    const startedAt = performance.now();
    let status = 0;
    // Without a body, no content type.
    const headers: Record<string, string> = {
      ...DEFAULT_HEADERS,
      ...request.headers,
      authorization: `Bearer ${token}`,
      traceparent: outgoingTraceparent(trace),
    };
    if (request.data !== undefined) headers['content-type'] = 'application/json';
    try {
      const response = await this.transport.exchange({
        method: request.method,
        origin: this.origin,
        path: this.basePath + request.url,
        headers,
        body: request.data === undefined ? undefined : JSON.stringify(request.data),
        timeoutMs: cutByDeadline ? timeLeft : this.config.upstreamTimeoutMs,
        signal: budget.signal,
        maxContentLength: request.maxBytes ?? this.config.upstreamMaxResponseBytes,
      });
      status = response.status;
      return response;
    } catch (error) {
      if (budget.signal?.aborted) throw clientGoneProblem(operation);
      const problem = upstreamTransportProblem(operation, error);
      // Timed out on the deadline's share, not the upstream's full timeout: the request's budget ran out.
      if (cutByDeadline && problem instanceof UpstreamFailure && problem.timedOut) throw deadlineExceededProblem(operation);
      throw problem;
    } finally {
      const durationMs = performance.now() - startedAt;
      this.upstreamSeries(operation, status).observe(durationMs / 1000);
      recordUpstreamCall(trace, durationMs);
    }
  }

  /**
   * The upstream duration histogram's series for one operation and the outcome of a status (0
   * when no answer came; never the status itself: see UpstreamOutcome), looked up by a plain key:
   * prom-client would otherwise hash the label object per call.
   */
  private upstreamSeries(operation: string, status: number): { observe(seconds: number): void } {
    const outcome = upstreamOutcomeOf(status);
    const key = `${operation} ${outcome}`;
    let series = this.seriesByKey.get(key);
    if (!series) {
      series = this.metrics.upstreamDuration.labels({ operation, outcome });
      this.seriesByKey.set(key, series);
    }
    return series;
  }
}

function roleUrl(roleId: string): string {
  return `${IDENTITY}/roles/v1/${segment(roleId)}`;
}

function tenantHeader(tenantId: string): Record<string, string> {
  return { 'frontegg-tenant-id': tenantId };
}

function userHeader(userId: string): Record<string, string> {
  return { 'frontegg-user-id': segment(userId) };
}

/** Ids travel in upstream paths only when they are plain ids, and always encoded. */
function segment(id: string): string {
  if (!PATH_ID_PATTERN.test(id)) throw ProblemException.badRequest('identifier must match ^[A-Za-z0-9_-]{1,64}$');
  return encodeURIComponent(id);
}

/**
 * A failed vendor-token renewal already had its own retries (and counted in its own breaker):
 * retrying the call on top would multiply POST /auth/vendor, so it fails the call as it is.
 */
function notRetriedAgain(error: unknown): never {
  if (!(error instanceof UpstreamFailure) || !error.transient) throw error;
  throw new UpstreamFailure(error.getStatus(), error.detail, false, { headers: error.headers, extensions: error.extensions, cause: error.cause });
}

function anyBody(): boolean {
  return true;
}

function isUsersPage(body: unknown): boolean {
  return isObject(body) && Array.isArray((body as { items?: unknown }).items);
}

function isObject(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}
