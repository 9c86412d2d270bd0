import { Injectable } from '@nestjs/common';
import { PermissionCatalogue } from '../authorization/permission-catalogue.service';
import { TenantDirectory } from '../authorization/tenant-directory.service';
import type { Principal } from '../auth/principal';
import type { CachedAnswer } from '../common/cache/read-through-cache';
import type { RequestTrace } from '../common/http/request-trace';
import type { FronteggPermission } from '../identity/frontegg-api.types';
import type { PermissionDto } from './dto/permission.dto';
import type { RoleDto } from './dto/role.dto';
import { toRoleDto } from './role.mapper';

/** Role and permission reads, cached per tenant (the catalogue once for the environment). */
@Injectable()
export class RolesService {
  /**
   * The catalogue as answered, made once per cached catalogue (the same object on every hit of the
   * memory store): the same answer object, so its JSON is serialized once per entry too.
   */
  private readonly answeredCatalogues = new WeakMap<FronteggPermission[], PermissionDto[]>();

  constructor(
    private readonly directory: TenantDirectory,
    private readonly catalogue: PermissionCatalogue,
  ) {}

  /** The caller's tenant roles and environment-wide roles, never another tenant's. */
  rolesOf(principal: Principal, trace: RequestTrace): Promise<CachedAnswer<RoleDto[]>> {
    return this.directory.cachedVisibleRoles(principal.tenantId, trace, (roles) => roles.map(toRoleDto));
  }

  async permissions(trace: RequestTrace): Promise<CachedAnswer<PermissionDto[]>> {
    const { value, cacheStatus } = await this.catalogue.answer(trace);
    let permissions = this.answeredCatalogues.get(value);
    if (!permissions) {
      permissions = value.map(({ id, key, name, description, categoryId }) => ({
        id,
        key,
        name,
        description: description ?? null,
        categoryId: categoryId ?? null,
      }));
      this.answeredCatalogues.set(value, permissions);
    }
    return { value: permissions, cacheStatus };
  }
}
