import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { assertKeyAvailable } from '../authorization/rules/level-rules';
import { TenantDirectory, type OwnedRole } from '../authorization/tenant-directory.service';
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
import { RoleKeyLock } from './role-key-lock';
import { toRoleDto } from './role.mapper';

/**
 * Tenant role administration (CONTRACT §4.2): the writes only. Every rule has been applied by the
 * route's policy before a method here runs; each write drops the tenant's cached roles and grants.
 */
@Injectable()
export class RoleAdministration {
  private readonly logger = new Logger('RoleAdministration');

  constructor(
    private readonly identity: IdentityClient,
    private readonly directory: TenantDirectory,
    private readonly keyLock: RoleKeyLock,
  ) {}

  async create(principal: Principal, role: CreateRoleDto, trace: RequestTrace): Promise<RoleDto> {
    const [created] = await this.withKeyUnique(principal, role.key, undefined, trace, () =>
      this.changingRolesOf(principal, () => this.identity.createRoles(principal.tenantId, [upstreamCreateOf(role)], trace)),
    );
    if (!created) throw upstreamShapeProblem('create role');
    if (created.tenantId !== principal.tenantId) {
      await this.undoCreationOutsideTenant(principal, created, trace);
      throw upstreamShapeProblem('create role');
    }
    return toRoleDto(created);
  }

  async update(principal: Principal, { role }: OwnedRole, changes: UpdateRoleDto, trace: RequestTrace): Promise<RoleDto> {
    const body = upstreamUpdateOf(changes);
    const write = () => this.changingRolesOf(principal, () => this.identity.updateRole(principal.tenantId, role.id, body, trace));
    const newKey = body.key !== undefined && body.key !== role.key ? body.key : undefined;
    return toRoleDto(await (newKey === undefined ? write() : this.withKeyUnique(principal, newKey, role.id, trace, write)));
  }

  async delete(principal: Principal, { role }: OwnedRole, trace: RequestTrace): Promise<void> {
    await this.changingRolesOf(principal, () => this.identity.deleteRole(principal.tenantId, role.id, trace));
  }

  async setPermissions(principal: Principal, { role }: OwnedRole, { permissionIds }: SetRolePermissionsDto, trace: RequestTrace): Promise<RoleDto> {
    const ids = [...new Set(permissionIds)];
    return toRoleDto(await this.changingRolesOf(principal, () => this.identity.setRolePermissions(principal.tenantId, role.id, ids, trace)));
  }

  /**
   * The upstream created the role outside the caller's tenant (environment-wide, say, had it
   * ignored `frontegg-tenant-id`): a role the caller may not own, visible to other tenants. It is
   * deleted where it landed; when that fails too, the error line names it for an operator to
   * remove. Either way the tenant's caches are dropped again, after the delete.
   */
  private async undoCreationOutsideTenant(principal: Principal, created: FronteggRole, trace: RequestTrace): Promise<void> {
    const context = { tenant: principal.tenantId, actor: principal.userId, roleId: created.id, roleKey: created.key, createdIn: created.tenantId || null, traceId: trace.traceId };
    try {
      await this.identity.deleteRoleWhereCreated(created, trace);
      this.logger.error({ ...context, deleted: true }, 'identity API created a role outside the caller tenant; the gateway deleted it');
    } catch (error) {
      this.logger.error(
        { ...context, deleted: false, err: error },
        `identity API created role ${created.id} outside the caller tenant and deleting it failed: remove it by hand`,
      );
    } finally {
      await this.directory.rolesChanged(principal.tenantId);
    }
  }

  /**
   * A write that gives a role `key`, atomic with the check that no other role of the tenant or
   * the environment has it (the policy's rule checked it before, but not under the lock: two
   * writers could both pass it). Under the tenant's lock the key is checked again on a fresh
   * listing; an upstream refusal (400) of a key that is by then taken is the same 409, for when
   * the lock could not be shared (Redis away) and another instance won.
   */
  private withKeyUnique<T>(principal: Principal, key: string, exceptRoleId: string | undefined, trace: RequestTrace, write: () => Promise<T>): Promise<T> {
    const keyTaken = async () => assertKeyAvailable(await this.directory.visibleRoles(principal.tenantId, trace), key, exceptRoleId);
    return this.keyLock.whileHolding(principal.tenantId, trace, async () => {
      await keyTaken();
      try {
        return await write();
      } catch (error) {
        if (error instanceof ProblemException && error.getStatus() === 400) await keyTaken();
        throw error;
      }
    });
  }

  /** The write, with the tenant's cached roles and grants dropped after it (TenantDirectory.changing). */
  private changingRolesOf<T>(principal: Principal, write: () => Promise<T>): Promise<T> {
    return this.directory.changing(principal.tenantId, write);
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
