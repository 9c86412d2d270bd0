import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Put, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CACHE_STATUS_HEADER } from '../common/openapi/problem-responses';
import { Audited, bodyField, pathParameter } from '../audit/audited.decorator';
import { CurrentPrincipal } from '../auth/decorators/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { Authorize } from '../authorization/authorize.decorator';
import { AuthorizedTarget } from '../authorization/authorized-target.decorator';
import { Policies } from '../authorization/policies';
import type { OwnedRole } from '../authorization/tenant-directory.service';
import { cachedJsonReply, type JsonText } from '../common/http/cached-json';
import { CurrentTrace } from '../common/http/current-trace.decorator';
import type { RequestTrace } from '../common/http/request-trace';
import { pathIdParameter } from '../common/openapi/path-id-parameter';
import { ApiProblems, JSON_BODY_PROBLEMS, withUpstreamProblems } from '../common/openapi/problem-responses';
import { CreateRoleDto } from './dto/create-role.dto';
import { RoleDto } from './dto/role.dto';
import { SetRolePermissionsDto } from './dto/set-role-permissions.dto';
import { UpdateRoleDto } from './dto/update-role.dto';
import { RoleAdministration } from './role-administration.service';
import { RolesService } from './roles.service';

const ROLE_ID = pathIdParameter('roleId');
const WRITE_PROBLEMS = withUpstreamProblems({
  400: 'Invalid or unknown property, or an invalid role id; nothing was sent upstream',
  ...JSON_BODY_PROBLEMS,
});
const OWN_ROLE_RULES = 'Only roles of your tenant at most as strong (level) as your own; an environment-wide role is a 403.';

@ApiTags('roles')
@Controller('v1/roles')
export class RolesController {
  constructor(
    private readonly roles: RolesService,
    private readonly administration: RoleAdministration,
  ) {}

  @Get()
  @Authorize(Policies.listRoles)
  @ApiOperation({ summary: "The caller's tenant roles and the environment-wide roles" })
  @ApiOkResponse({ type: [RoleDto], headers: CACHE_STATUS_HEADER })
  @ApiProblems(withUpstreamProblems())
  async list(
    @CurrentPrincipal() principal: Principal,
    @CurrentTrace() trace: RequestTrace,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JsonText<RoleDto[]>> {
    // The same bytes for every caller of the tenant until its entry changes: serialized once per entry.
    return cachedJsonReply(reply, await this.roles.rolesOf(principal, trace));
  }

  @Post()
  @Authorize(Policies.createRole)
  @Audited('role.create', bodyField('key'))
  @ApiOperation({ summary: 'Create a role in your tenant', description: 'Its level may not be stronger than your own.' })
  @ApiCreatedResponse({ type: RoleDto })
  @ApiProblems(WRITE_PROBLEMS)
  create(@CurrentPrincipal() principal: Principal, @Body() role: CreateRoleDto, @CurrentTrace() trace: RequestTrace): Promise<RoleDto> {
    return this.administration.create(principal, role, trace);
  }

  @Patch(':roleId')
  @Authorize(Policies.updateRole)
  @Audited('role.update', pathParameter('roleId'))
  @ApiOperation({ summary: 'Change a role of your tenant', description: OWN_ROLE_RULES })
  @ApiParam(ROLE_ID)
  @ApiOkResponse({ type: RoleDto })
  @ApiProblems(WRITE_PROBLEMS)
  update(
    @CurrentPrincipal() principal: Principal,
    @AuthorizedTarget() role: OwnedRole,
    @Body() changes: UpdateRoleDto,
    @CurrentTrace() trace: RequestTrace,
  ): Promise<RoleDto> {
    return this.administration.update(principal, role, changes, trace);
  }

  @Delete(':roleId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authorize(Policies.deleteRole)
  @Audited('role.delete', pathParameter('roleId'))
  @ApiOperation({ summary: 'Delete a role of your tenant (its members lose it)', description: OWN_ROLE_RULES })
  @ApiParam(ROLE_ID)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(withUpstreamProblems({ 400: 'Invalid role id' }))
  remove(@CurrentPrincipal() principal: Principal, @AuthorizedTarget() role: OwnedRole, @CurrentTrace() trace: RequestTrace): Promise<void> {
    return this.administration.delete(principal, role, trace);
  }

  @Put(':roleId/permissions')
  @Authorize(Policies.setRolePermissions)
  @Audited('role.set-permissions', pathParameter('roleId'))
  @ApiOperation({
    summary: "Replace a role's permissions",
    description: `${OWN_ROLE_RULES} Takes permission **ids** (from \`GET /v1/permissions\`): every one must exist (else 400 naming the unknown ids) and be one you hold yourself (else 403 permission-escalation).`,
  })
  @ApiParam(ROLE_ID)
  @ApiOkResponse({ type: RoleDto })
  @ApiProblems({
    ...WRITE_PROBLEMS,
    400: `Unknown permission ids (listed in \`unknownPermissionIds\` and in \`detail\`), values that are not ids such as keys (named in \`detail\`), or ${WRITE_PROBLEMS[400].charAt(0).toLowerCase()}${WRITE_PROBLEMS[400].slice(1)}`,
  })
  setPermissions(
    @CurrentPrincipal() principal: Principal,
    @AuthorizedTarget() role: OwnedRole,
    @Body() permissions: SetRolePermissionsDto,
    @CurrentTrace() trace: RequestTrace,
  ): Promise<RoleDto> {
    return this.administration.setPermissions(principal, role, permissions, trace);
  }
}
