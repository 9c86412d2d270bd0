import { HttpStatus, Injectable } from '@nestjs/common';
import { ReadThroughCache, type CachedAnswer } from '../common/cache/read-through-cache';
import type { RequestTrace } from '../common/http/request-trace';
import { assertPathId } from '../common/validation/path-id';
import { ProblemException } from '../common/problems/problem.exception';
import { GatewayConfig } from '../config/gateway-config';
import type { FronteggRole, FronteggUser, FronteggUserTenant } from '../identity/frontegg-api.types';
import { IdentityClient } from '../identity/identity.client';
import { membershipOfVisibleMember, roleOwnedBy, rolesVisibleIn, USER_NOT_FOUND } from './rules/tenant-rules';
import { tenantRolesScope } from './tenant-scope';

/** A member of the caller's tenant, as the layer hands it to a route: already known to be in the tenant. */
export interface TenantMember {
  readonly user: FronteggUser;
  /** The membership in the caller's tenant (its roles are that tenant's). */
  readonly membership: FronteggUserTenant;
}

/** A role of the caller's own tenant (never environment-wide), with the tenant's visible roles it was found among. */
export interface OwnedRole {
  readonly role: FronteggRole;
  readonly visibleRoles: readonly FronteggRole[];
}

const rolesKey = (tenantId: string) => `roles:${tenantId}`;

/**
 * The tenant-scoped accessor: the only way the gateway obtains a member or a role. Every lookup is
 * bound to one tenant, so an object of another tenant cannot come out of it, and "in another
 * tenant" and "missing" are the same answer by construction. Decisions read the upstream fresh;
 * only the plain role listing is cached.
 */
@Injectable()
export class TenantDirectory {
  constructor(
    private readonly identity: IdentityClient,
    private readonly cache: ReadThroughCache,
    private readonly config: GatewayConfig,
  ) {}

  /** The tenant's and environment-wide roles, fresh from the upstream: what decisions are taken on. */
  async visibleRoles(tenantId: string, trace: RequestTrace): Promise<FronteggRole[]> {
    return rolesVisibleIn(tenantId, await this.identity.listRoles(tenantId, trace));
  }

  /**
   * The same, cached per tenant for ROLES_CACHE_TTL_S: for answering reads, never for decisions.
   * Under the tenant's scope, so a listing read before a change is not fresh after it.
   */
  cachedVisibleRoles<T>(tenantId: string, trace: RequestTrace, shape: (roles: FronteggRole[]) => T): Promise<CachedAnswer<T>> {
    const load = async () => shape(await this.visibleRoles(tenantId, trace));
    return this.cache.read('roles', rolesKey(tenantId), this.config.rolesCacheTtlS * 1000, load, { scope: tenantRolesScope(tenantId) });
  }

  /** A role the tenant owns: `404` for a missing or foreign one, `403 environment-role` for an environment-wide one. */
  async ownedRole(tenantId: string, roleId: string, trace: RequestTrace): Promise<OwnedRole> {
    assertPathId(roleId);
    const visibleRoles = await this.visibleRoles(tenantId, trace);
    return { role: roleOwnedBy(tenantId, visibleRoles, roleId), visibleRoles };
  }

  /** A visible member of the tenant; a missing, foreign or invisible user is the same `404`. */
  async member(tenantId: string, userId: string, trace: RequestTrace): Promise<TenantMember> {
    assertPathId(userId);
    const user = await this.identity.getUser(userId, trace).catch((error: unknown) => {
      // The upstream's own "not found" wording must not tell a missing user from a foreign one.
      if (error instanceof ProblemException && error.getStatus() === HttpStatus.NOT_FOUND) throw ProblemException.notFound(USER_NOT_FOUND);
      throw error;
    });
    return { user, membership: membershipOfVisibleMember(tenantId, user) };
  }

  /** The caller's own user record (whatever its tenants: it is the caller's). */
  self(userId: string, trace: RequestTrace): Promise<FronteggUser> {
    return this.identity.getUser(userId, trace);
  }

  /**
   * After the gateway changed a tenant's roles: the next listing reads the upstream, and every
   * user's resolved grants in the tenant are resolved again, on every instance sharing the store.
   */
  async rolesChanged(tenantId: string): Promise<void> {
    await this.cache.changed(tenantRolesScope(tenantId));
  }
}

