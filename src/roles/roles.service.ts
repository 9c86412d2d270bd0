import { Injectable } from '@nestjs/common';
import { rolesVisibleTo } from '../access/tenant-access';
import type { Principal } from '../auth/principal';
import type { RequestTrace } from '../common/http/request-trace';
import { ReadThroughCache, type CachedAnswer } from '../common/cache/read-through-cache';
import { GatewayConfig } from '../config/gateway-config';
import type { FronteggPermission } from '../identity/frontegg-api.types';
import { IdentityClient } from '../identity/identity.client';
import type { RoleDto } from './dto/role.dto';
import { toRoleDto } from './role.mapper';

const rolesKey = (tenantId: string) => `roles:${tenantId}`;
const PERMISSIONS_KEY = 'permissions';

/** Role and permission reads, cached per tenant (the catalogue once for the environment). */
@Injectable()
export class RolesService {
  constructor(
    private readonly identity: IdentityClient,
    private readonly config: GatewayConfig,
    private readonly cache: ReadThroughCache,
  ) {}

  /** The caller's tenant roles and environment-wide roles, never another tenant's. */
  rolesOf(principal: Principal, trace: RequestTrace): Promise<CachedAnswer<RoleDto[]>> {
    const load = async () => rolesVisibleTo(principal, await this.identity.listRoles(principal.tenantId, trace)).map(toRoleDto);
    // The cache key is the tenant: the filter above depends on nothing else.
    return this.cache.read('roles', rolesKey(principal.tenantId), this.ttlMs, load);
  }

  permissionCatalogueAnswer(trace: RequestTrace): Promise<CachedAnswer<FronteggPermission[]>> {
    return this.cache.read('permissions', PERMISSIONS_KEY, this.ttlMs, () => this.identity.listPermissions(trace));
  }

  async permissionCatalogue(trace: RequestTrace): Promise<FronteggPermission[]> {
    return (await this.permissionCatalogueAnswer(trace)).value;
  }

  /** Drops a tenant's cached roles after the gateway changed them. */
  invalidateTenant(tenantId: string): Promise<void> {
    return this.cache.invalidate(rolesKey(tenantId));
  }

  private get ttlMs(): number {
    return this.config.rolesCacheTtlS * 1000;
  }
}
