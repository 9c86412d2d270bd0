import { Injectable } from '@nestjs/common';
import { assertLevelWithinReach, grantablePermissionIds } from '../access/role-rules';
import { roleOwnedByCaller, rolesVisibleTo } from '../access/tenant-access';
import type { Principal } from '../auth/principal';
import type { RequestTrace } from '../common/http/request-trace';
import { ProblemException } from '../common/problems/problem.exception';
import { definedFields } from '../common/validation/defined-fields';
import type { FronteggAddRoleRequest, FronteggRole, FronteggUpdateRoleRequest } from '../identity/frontegg-api.types';
import { IdentityClient } from '../identity/identity.client';
import { upstreamShapeProblem } from '../identity/upstream-errors';
import type { CreateRoleDto } from './dto/create-role.dto';
import type { RoleDto } from './dto/role.dto';
import type { SetRolePermissionsDto } from './dto/set-role-permissions.dto';
import type { UpdateRoleDto } from './dto/update-role.dto';
import { toRoleDto } from './role.mapper';
import { RolesService } from './roles.service';

/**
 * Tenant role administration (CONTRACT §4.2). Every rule is checked against a fresh read of the
 * tenant's roles before the upstream write, and every write drops the tenant's role cache.
 */
@Injectable()
export class RoleAdministration {
  constructor(
    private readonly identity: IdentityClient,
    private readonly roles: RolesService,
  ) {}

  async create(principal: Principal, role: CreateRoleDto, trace: RequestTrace): Promise<RoleDto> {
    assertLevelWithinReach(principal, await this.tenantRoles(principal, trace), role.level);
    const [created] = await this.changingRolesOf(principal, () => this.identity.createRoles(principal.tenantId, [upstreamCreateOf(role)], trace));
    if (!created || created.tenantId !== principal.tenantId) throw upstreamShapeProblem('create role');
    return toRoleDto(created);
  }

  async update(principal: Principal, roleId: string, changes: UpdateRoleDto, trace: RequestTrace): Promise<RoleDto> {
    const body = upstreamUpdateOf(changes);
    const roles = await this.tenantRoles(principal, trace);
    const role = roleOwnedByCaller(principal, roles, roleId);
    assertLevelWithinReach(principal, roles, role.level, changes.level);
    return toRoleDto(await this.changingRolesOf(principal, () => this.identity.updateRole(principal.tenantId, roleId, body, trace)));
  }

  async delete(principal: Principal, roleId: string, trace: RequestTrace): Promise<void> {
    const roles = await this.tenantRoles(principal, trace);
    const role = roleOwnedByCaller(principal, roles, roleId);
    assertLevelWithinReach(principal, roles, role.level);
    await this.changingRolesOf(principal, () => this.identity.deleteRole(principal.tenantId, roleId, trace));
  }

  async setPermissions(principal: Principal, roleId: string, { permissionIds }: SetRolePermissionsDto, trace: RequestTrace): Promise<RoleDto> {
    const roles = await this.tenantRoles(principal, trace);
    const role = roleOwnedByCaller(principal, roles, roleId);
    assertLevelWithinReach(principal, roles, role.level);
    const granted = grantablePermissionIds(principal, await this.roles.permissionCatalogue(trace), permissionIds);
    return toRoleDto(await this.changingRolesOf(principal, () => this.identity.setRolePermissions(principal.tenantId, roleId, granted, trace)));
  }

  /** Decisions are taken on the upstream's current roles, never on a cached copy. */
  private async tenantRoles(principal: Principal, trace: RequestTrace): Promise<FronteggRole[]> {
    return rolesVisibleTo(principal, await this.identity.listRoles(principal.tenantId, trace));
  }

  /**
   * Drops the tenant's cached roles (on every instance) whenever the write may have changed them:
   * when it succeeded, and when its outcome is unknown (no answer, a 5xx). A refusal changed nothing.
   */
  private async changingRolesOf<T>(principal: Principal, write: () => Promise<T>): Promise<T> {
    try {
      const result = await write();
      await this.roles.invalidateTenant(principal.tenantId);
      return result;
    } catch (error) {
      if (!(error instanceof ProblemException) || error.getStatus() >= 500) await this.roles.invalidateTenant(principal.tenantId);
      throw error;
    }
  }
}

const ROLE_FIELDS = ['key', 'name', 'description', 'level', 'isDefault', 'firstUserRole'] as const;

function upstreamCreateOf(role: CreateRoleDto): FronteggAddRoleRequest {
  return { ...definedFields(role, ROLE_FIELDS), key: role.key, name: role.name, level: role.level };
}

function upstreamUpdateOf(changes: UpdateRoleDto): FronteggUpdateRoleRequest {
  const body = definedFields(changes, ROLE_FIELDS);
  if (Object.keys(body).length === 0) {
    throw ProblemException.badRequest(`body must contain at least one of ${ROLE_FIELDS.join(', ')}`);
  }
  return body;
}
