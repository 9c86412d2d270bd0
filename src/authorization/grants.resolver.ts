import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { ReadThroughCache } from '../common/cache/read-through-cache';
import type { RequestTrace } from '../common/http/request-trace';
import { ProblemException } from '../common/problems/problem.exception';
import { GatewayConfig } from '../config/gateway-config';
import { IdentityClient } from '../identity/identity.client';
import { resolveGrants, type Grants, type Resolution } from './grants';
import { PermissionCatalogue } from './permission-catalogue.service';

const generationKey = (tenantId: string) => `authz-generation:${tenantId}`;
const INITIAL_GENERATION = '0';

/**
 * Where a caller's roles and permissions come from (CONTRACT §3): the token's claims, or the
 * identity API when the token carries none, when `AUTHZ_SOURCE=live`, or when a rule needs the
 * caller's roles by id (levels). Resolved grants are cached per user and tenant under the
 * tenant's generation, so one write of a new generation drops every user of the tenant at once,
 * on every instance sharing the store, and a resolution that started before the change is stored
 * under the old generation, where nobody reads it.
 */
@Injectable()
export class GrantsResolver {
  constructor(
    private readonly identity: IdentityClient,
    private readonly catalogue: PermissionCatalogue,
    private readonly cache: ReadThroughCache,
    @Inject(CACHE_MANAGER) private readonly store: Cache,
    private readonly config: GatewayConfig,
  ) {}

  /**
   * The token's claims when they are all a policy needs: undefined when they must be resolved
   * (no claims, `AUTHZ_SOURCE=live`, or roles needed by id).
   */
  fromToken(principal: Principal, { rolesById = false } = {}): Grants | undefined {
    if (this.config.authzSource === 'live' || rolesById) return undefined;
    return principal.claimedGrants;
  }

  /**
   * The caller's grants: the token's claims (in token mode, when it carries them), with the roles
   * by id added from the identity API when a policy's level rules need them; otherwise resolved.
   */
  async grantsOf(principal: Principal, trace: RequestTrace, { rolesById = false } = {}): Promise<Grants> {
    const claimed = this.config.authzSource === 'token' ? principal.claimedGrants : undefined;
    if (claimed && !rolesById) return claimed;
    const resolved = await this.resolve(principal, trace);
    return claimed ? { ...claimed, roles: resolved.roles } : resolved;
  }

  /** Resolved from the identity API; `401 access revoked` for a locked user or a lost membership. */
  private async resolve(principal: Principal, trace: RequestTrace): Promise<Grants> {
    const generation = await this.generationOf(principal.tenantId);
    const key = `authz:${principal.tenantId}:${generation}:${principal.userId}`;
    const load = async (): Promise<Resolution> => {
      const [user, catalogue] = await Promise.all([this.identity.getUser(principal.userId, trace).catch(whenDeleted), this.catalogue.list(trace)]);
      return user ? resolveGrants(user, principal.tenantId, catalogue) : { revoked: 'deleted' };
    };
    // No stale answers: an upstream failure fails the request rather than extend revoked access.
    const { value } = await this.cache.read('authz', key, this.config.authzCacheTtlS * 1000, load, { staleIfError: false });
    if ('revoked' in value) throw accessRevoked(value.revoked);
    if (value.until !== undefined && !(value.until > Date.now())) throw accessRevoked('membership-expired');
    return value.grants;
  }

  /** After a role change in the tenant: every user's resolved grants are resolved again. */
  async dropTenant(tenantId: string): Promise<void> {
    // Outlives every entry stored under the previous generation, so an old one cannot come back.
    const keepMs = 2 * this.config.authzCacheTtlS * 1000 + 60_000;
    await this.store.set(generationKey(tenantId), randomUUID(), keepMs).catch(() => undefined);
  }

  private async generationOf(tenantId: string): Promise<string> {
    const generation = await this.store.get<string>(generationKey(tenantId)).catch(() => undefined);
    return generation ?? INITIAL_GENERATION;
  }
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
