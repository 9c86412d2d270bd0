import type {
  FronteggAuthenticationResponse,
  FronteggRole,
  VendorAuthenticationResponse,
  VendorEntitlementsData,
  VendorEntitlementsResponse,
} from '../identity/frontegg-api.types';
import { DEFAULT_EMULATOR_OPTIONS } from './options';
import {
  CONTROL_PREFIX,
  HARNESS_HEADER,
  type EmulatorSettings,
  type EntitlementsChanged,
  type FaultCreated,
  type FaultSpec,
  type GrantPlanRequest,
  type MintedToken,
  type MintTokenRequest,
  type RevokeOAuthResult,
  type RecordedRequest,
  type RotateKeyRequest,
  type RotateKeyResult,
} from './schemas/control.schemas';

/** The emulator's vendor credentials; a RunningEmulator fits. */
export interface EmulatorCredentials {
  clientId: string;
  apiKey: string;
}

export interface RecordedRequestFilter {
  method?: string;
  /** A string matches the path exactly; a RegExp is tested against it. */
  path?: string | RegExp;
}

/** A control call (or the sign-in) answered with an error status. */
export class EmulatorControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what} answered ${status}: ${JSON.stringify(body)}`);
  }
}

function matches(request: RecordedRequest, { method, path }: RecordedRequestFilter): boolean {
  if (method && request.method !== method.toUpperCase()) return false;
  if (path === undefined) return true;
  return typeof path === 'string' ? request.path === path : path.test(request.path);
}

/**
 * A typed client for the emulator's test controls (`/_emulator/...`), over global fetch.
 * Its user and role helpers change identity data through the official management routes,
 * as an administrator would in Frontegg's portal while the gateway runs: they sign in as
 * the vendor with `credentials` (the emulator's defaults when absent) and are neither
 * recorded nor faulted.
 */
export class EmulatorControlClient {
  private readonly baseUrl: string;

  constructor(
    url: string,
    private readonly credentials: EmulatorCredentials = DEFAULT_EMULATOR_OPTIONS,
  ) {
    this.baseUrl = url.replace(/\/+$/, '');
  }

  reset(): Promise<void> {
    return this.control('POST', '/reset');
  }

  /** Returns the fault's id. */
  async injectFault(fault: FaultSpec): Promise<string> {
    const created = await this.control<FaultCreated>('POST', '/faults', fault);
    return created.id;
  }

  clearFaults(): Promise<void> {
    return this.control('DELETE', '/faults');
  }

  rotateKey(options: RotateKeyRequest = {}): Promise<RotateKeyResult> {
    return this.control('POST', '/keys/rotate', options);
  }

  /** Recorded non-control requests in arrival order, optionally filtered here by method and path. */
  async requests(filter: RecordedRequestFilter = {}): Promise<RecordedRequest[]> {
    const recorded = await this.control<RecordedRequest[]>('GET', '/requests');
    return recorded.filter((request) => matches(request, filter));
  }

  clearRequests(): Promise<void> {
    return this.control('DELETE', '/requests');
  }

  async mintToken(options: MintTokenRequest = {}): Promise<string> {
    const minted = await this.mintTokenWithClaims(options);
    return minted.token;
  }

  mintTokenWithClaims(options: MintTokenRequest = {}): Promise<MintedToken> {
    return this.control('POST', '/tokens', options);
  }

  expireVendorTokens(): Promise<void> {
    return this.control('POST', '/vendor-tokens/expire');
  }

  /** Ends hosted-login sign-ins (all, or the user's): their refresh tokens are then invalid_grant. Answers how many were live. */
  async revokeOAuthSignIns(userId?: string): Promise<number> {
    const result = await this.control<RevokeOAuthResult>('POST', '/oauth/revoke', userId === undefined ? {} : { userId });
    return result.revoked;
  }

  /** The entitlements snapshot as served, with its offset. */
  entitlements(): Promise<VendorEntitlementsResponse> {
    return this.control('GET', '/entitlements');
  }

  /** Replaces the entitlements snapshot; answers its new offset. */
  async replaceEntitlements(data: VendorEntitlementsData): Promise<number> {
    return (await this.control<EntitlementsChanged>('PUT', '/entitlements', data)).snapshotOffset;
  }

  /** Grants a plan to a tenant, or to one user in it; answers the snapshot's new offset. */
  async grantPlan(grant: GrantPlanRequest): Promise<number> {
    return (await this.control<EntitlementsChanged>('POST', '/entitlements/grants', grant)).snapshotOffset;
  }

  settings(settings: EmulatorSettings): Promise<void> {
    return this.control('PUT', '/settings', settings);
  }

  /** Signs in through the real (recorded) login route. */
  login(email: string, password: string): Promise<FronteggAuthenticationResponse> {
    return this.send('POST', '/identity/resources/auth/v1/user', { email, password });
  }

  /** Gets a vendor token through the real (recorded) `POST /auth/vendor`. */
  vendorToken(clientId: string, secret: string): Promise<VendorAuthenticationResponse> {
    return this.send('POST', '/auth/vendor', { clientId, secret });
  }

  /** `POST /identity/resources/users/v1/{userId}/lock`: the user can no longer sign in, anywhere. */
  lockUser(userId: string): Promise<void> {
    return this.manage('POST', `/identity/resources/users/v1/${encodeURIComponent(userId)}/lock`);
  }

  unlockUser(userId: string): Promise<void> {
    return this.manage('POST', `/identity/resources/users/v1/${encodeURIComponent(userId)}/unlock`);
  }

  /** `POST /identity/resources/tenants/users/v1/{userId}/disable`: the user's membership of the tenant is disabled. */
  disableUserInTenant(userId: string, tenantId: string): Promise<void> {
    return this.manage('POST', `/identity/resources/tenants/users/v1/${encodeURIComponent(userId)}/disable`, {
      tenantId,
    });
  }

  enableUserInTenant(userId: string, tenantId: string): Promise<void> {
    return this.manage('POST', `/identity/resources/tenants/users/v1/${encodeURIComponent(userId)}/enable`, {
      tenantId,
    });
  }

  /**
   * `DELETE /identity/resources/users/v1/{userId}`: from the tenant, or from every tenant when
   * none is given; a user left without a tenant is deleted.
   */
  removeUserFromTenant(userId: string, tenantId?: string): Promise<void> {
    return this.manage('DELETE', `/identity/resources/users/v1/${encodeURIComponent(userId)}`, { tenantId });
  }

  /**
   * `GET /identity/resources/roles/v1`: what the identity API holds, read past the gateway. With a
   * tenant, its roles and the environment-wide ones; without, the environment-wide ones only.
   */
  listRoles(tenantId?: string): Promise<FronteggRole<number>[]> {
    return this.manage('GET', '/identity/resources/roles/v1', { tenantId });
  }

  /** `PUT /identity/resources/roles/v1/{roleId}/permissions`: replaces the role's permissions. */
  setRolePermissions(roleId: string, permissionIds: string[]): Promise<FronteggRole<number>> {
    return this.manage('PUT', `/identity/resources/roles/v1/${encodeURIComponent(roleId)}/permissions`, {
      body: { permissionIds },
    });
  }

  private control<T = void>(method: string, path: string, body?: unknown): Promise<T> {
    return this.send(method, `${CONTROL_PREFIX}${path}`, body);
  }

  /** An official management call of the harness, with a vendor token of its own. */
  private async manage<T = void>(
    method: string,
    path: string,
    { tenantId, body }: { tenantId?: string; body?: unknown } = {},
  ): Promise<T> {
    const harness = { [HARNESS_HEADER]: '1' };
    const { clientId, apiKey: secret } = this.credentials;
    const vendor = await this.send<VendorAuthenticationResponse>('POST', '/auth/vendor', { clientId, secret }, harness);
    return this.send(method, path, body, {
      ...harness,
      authorization: `Bearer ${vendor.token}`,
      ...(tenantId === undefined ? {} : { 'frontegg-tenant-id': tenantId }),
    });
  }

  private async send<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) throw new EmulatorControlError(response.status, parsed, `${method} ${path}`);
    return parsed as T;
  }
}
