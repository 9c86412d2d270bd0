import { HttpStatus, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { ReadThroughCache } from '../common/cache/read-through-cache';
import type { RequestTrace } from '../common/http/request-trace';
import { ProblemException } from '../common/problems/problem.exception';
import { GatewayConfig } from '../config/gateway-config';
import { IdentityClient } from '../identity/identity.client';
import { resolveGrants, scopedTo, type Grants, type Resolution } from './grants';
import { PermissionCatalogue } from './permission-catalogue.service';
import { tenantRolesScope } from './tenant-scope';

/**
 * Where a caller's roles and permissions come from (CONTRACT §3): the token's claims, or the
 * identity API when the token carries none, when `AUTHZ_SOURCE=live`, or when a rule needs the
 * caller's roles by id (levels). Resolved grants are cached per user and tenant in the tenant's
 * scope (tenantRolesScope), so one change of the tenant's roles drops every user of the tenant at
 * once, on every instance sharing the store, and a resolution that started before the change is
 * never taken as fresh after it.
 */
@Injectable()
export class GrantsResolver {
  constructor(
    private readonly identity: IdentityClient,
    private readonly catalogue: PermissionCatalogue,
    private readonly cache: ReadThroughCache,
    private readonly config: GatewayConfig,
  ) {}

  /**
   * The token's claims when they are all a policy needs: undefined when they must be resolved
   * (no claims, `AUTHZ_SOURCE=live`, roles needed by id, or claims that are a scope).
   */
  fromToken(principal: Principal, { rolesById = false } = {}): Grants | undefined {
    if (this.config.authzSource === 'live' || rolesById) return undefined;
    return claimsAreAScope(principal) ? undefined : principal.claimedGrants;
  }

  /**
   * The caller's grants. A user API token's claims are its scope, in both modes: what its user
   * holds now (resolved) limited to what the claims name, so resolution never widens it and a
   * right the user lost is lost at once. A user token's claims are its grants in token mode, with
   * the roles by id added from the identity API when a policy's level rules need them; otherwise
   * the grants are resolved.
   */
  async grantsOf(principal: Principal, trace: RequestTrace, { rolesById = false } = {}): Promise<Grants> {
    if (claimsAreAScope(principal)) return scopedTo(await this.resolve(principal, trace), principal.claimedGrants!);
    const claimed = this.config.authzSource === 'token' ? principal.claimedGrants : undefined;
    if (claimed && !rolesById) return claimed;
    const resolved = await this.resolve(principal, trace);
    return claimed ? { ...claimed, roles: resolved.roles } : resolved;
  }

  /** Resolved from the identity API; `401 access revoked` for a locked user or a lost membership. */
  private async resolve(principal: Principal, trace: RequestTrace): Promise<Grants> {
    const key = `authz:${principal.tenantId}:${principal.userId}`;
    const load = async (): Promise<Resolution> => {
      const [user, catalogue] = await Promise.all([this.identity.getUser(principal.userId, trace).catch(whenDeleted), this.catalogue.list(trace)]);
      return user ? resolveGrants(user, principal.tenantId, catalogue) : { revoked: 'deleted' };
    };
    // No stale answers: an upstream failure fails the request rather than extend revoked access.
    const scope = tenantRolesScope(principal.tenantId);
    const { value } = await this.cache.read('authz', key, this.config.authzCacheTtlS * 1000, load, { staleIfError: false, scope });
    if ('revoked' in value) throw accessRevoked(value.revoked);
    if (value.until !== undefined && !(value.until > Date.now())) throw accessRevoked('membership-expired');
    return value.grants;
  }
}

/** A delegated credential (CONTRACT §3): its `roles` and `permissions` claims bound what it may do. */
function claimsAreAScope(principal: Principal): boolean {
  return principal.type === 'userApiToken' && principal.claimedGrants !== undefined;
}

/** A user the identity API no longer knows (removed from its last tenant): undefined. */
function whenDeleted(error: unknown): undefined {
  if (error instanceof ProblemException && error.getStatus() === HttpStatus.NOT_FOUND) return undefined;
  throw error;
}

function accessRevoked(why: string): ProblemException {
  return new ProblemException(HttpStatus.UNAUTHORIZED, 'access revoked', {
    headers: { 'WWW-Authenticate': 'Bearer realm="api", error="invalid_token"' },
    cause: { revoked: why },
  });
}
