import { HttpStatus, Injectable } from '@nestjs/common';
import { ReadThroughCache, type CachedAnswer } from '../common/cache/read-through-cache';
import type { RequestTrace } from '../common/http/request-trace';
import { assertPathId } from '../common/validation/path-id';
import { ProblemException } from '../common/problems/problem.exception';
import { GatewayConfig } from '../config/gateway-config';
import type { FronteggRole, FronteggUser, FronteggUsersQuery, FronteggUserTenant, FronteggUserV3 } from '../identity/frontegg-api.types';
import { IdentityClient } from '../identity/identity.client';
import { membershipOfVisibleMember, roleOwnedBy, rolesVisibleIn, USER_NOT_FOUND, visibleMembershipIn } from './rules/tenant-rules';
import { tenantRolesScope } from './tenant-scope';

/** A member of the caller's tenant, as the layer hands it to a route: already known to be in the tenant. */
export interface TenantMember {
  readonly user: FronteggUser;
  /** The membership in the caller's tenant (its roles are that tenant's). */
  readonly membership: FronteggUserTenant;
}

/** One listed member of the caller's tenant: visible, with the membership of that tenant. */
export interface ListedMember {
  readonly user: FronteggUserV3;
  readonly membership: FronteggUserTenant;
}

/** A page of the tenant's members, and whether the upstream has a page after it (no counts: they would include hidden users). */
export interface MembersPage {
  readonly members: readonly ListedMember[];
  readonly hasMore: boolean;
}

/** A member to change, with the tenant's visible roles it may be given (the role rules check against them). */
export interface MemberWithRoles extends TenantMember {
  readonly visibleRoles: readonly FronteggRole[];
}

/** What an invitation is decided on: the tenant's visible roles, and whether the email is a member already. */
export interface Invitation {
  readonly visibleRoles: readonly FronteggRole[];
  readonly alreadyMember: boolean;
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

  /** A visible member of the tenant, with the roles the tenant sees (for a change of its roles). */
  async memberWithRoles(tenantId: string, userId: string, trace: RequestTrace): Promise<MemberWithRoles> {
    const [member, visibleRoles] = await Promise.all([this.member(tenantId, userId, trace), this.visibleRoles(tenantId, trace)]);
    return { ...member, visibleRoles };
  }

  /**
   * Looks before an invitation writes: the tenant's roles, and whether a member of the tenant has
   * this email already (compared whole and in any case, whatever the upstream's filter matches).
   */
  async invitation(tenantId: string, email: string, trace: RequestTrace): Promise<Invitation> {
    const query = { _limit: 100, _offset: 0, _email: email, _sortBy: 'email', _order: 'ASC' } as const;
    const [visibleRoles, { members }] = await Promise.all([this.visibleRoles(tenantId, trace), this.members(tenantId, query, trace)]);
    const wanted = email.toLowerCase();
    return { visibleRoles, alreadyMember: members.some(({ user }) => user.email?.toLowerCase() === wanted) };
  }

  /**
   * A page of the tenant's members. Whatever the upstream answered, only visible users whose
   * memberships include the tenant come out (an upstream that ignored the tenant header leaks nobody).
   */
  async members(tenantId: string, query: FronteggUsersQuery, trace: RequestTrace): Promise<MembersPage> {
    const page = await this.identity.listUsers(tenantId, query, trace);
    const members = page.items.flatMap((user) => {
      const membership = visibleMembershipIn(tenantId, user);
      return membership ? [{ user, membership }] : [];
    });
    const hasMore = Boolean(page._links?.next) || (page._metadata?.totalPages ?? 0) > query._offset + 1;
    return { members, hasMore };
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

  /**
   * Runs a write to the tenant's roles or memberships, then drops the tenant's cached roles and
   * resolved grants (on every instance) whenever the write may have changed them: when it
   * succeeded, and when its outcome is unknown (no answer, a 5xx). A removed member's next request
   * is then resolved again (`401 access revoked` with AUTHZ_SOURCE=live), new roles apply at once.
   */
  async changing<T>(tenantId: string, write: () => Promise<T>): Promise<T> {
    try {
      const result = await write();
      await this.rolesChanged(tenantId);
      return result;
    } catch (error) {
      if (!(error instanceof ProblemException) || error.getStatus() >= 500) await this.rolesChanged(tenantId);
      throw error;
    }
  }
}

