import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { rolesVisibleTo } from '../access/tenant-access';
import type { Principal } from '../auth/principal';
import { GatewayConfig } from '../config/gateway-config';
import type { FronteggPermission } from '../identity/frontegg-api.types';
import { IdentityClient } from '../identity/identity.client';
import type { RoleDto } from './dto/role.dto';
import { toRoleDto } from './role.mapper';

const rolesKey = (tenantId: string) => `roles:${tenantId}`;
const PERMISSIONS_KEY = 'permissions';

/**
 * Role and permission reads, cached per tenant (the catalogue once for the environment).
 * Concurrent misses for one key share a single upstream call (`wrap` coalesces them).
 */
@Injectable()
export class RolesService {
  constructor(
    private readonly identity: IdentityClient,
    private readonly config: GatewayConfig,
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
  ) {}

  /** The caller's tenant roles and environment-wide roles, never another tenant's. */
  async rolesOf(principal: Principal): Promise<RoleDto[]> {
    const load = async () => rolesVisibleTo(principal, await this.identity.listRoles(principal.tenantId)).map(toRoleDto);
    // The cache key is the tenant: the filter above depends on nothing else.
    return this.cached(rolesKey(principal.tenantId), load);
  }

  permissionCatalogue(): Promise<FronteggPermission[]> {
    return this.cached(PERMISSIONS_KEY, () => this.identity.listPermissions());
  }

  /** Drops a tenant's cached roles after the gateway changed them. */
  async invalidateTenant(tenantId: string): Promise<void> {
    await this.cache.del(rolesKey(tenantId));
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const ttlMs = this.config.rolesCacheTtlS * 1000;
    return ttlMs > 0 ? this.cache.wrap(key, load, ttlMs) : load();
  }
}
