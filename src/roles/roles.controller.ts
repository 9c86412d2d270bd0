import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/decorators/authenticated.decorator';
import { CurrentPrincipal } from '../auth/decorators/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { ApiProblems, UPSTREAM_PROBLEMS } from '../common/openapi/problem-responses';
import { RoleDto } from './dto/role.dto';
import { RolesService } from './roles.service';

@ApiTags('roles')
@Controller('v1/roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @Authenticated({ permission: 'fe.secure.read.roles' })
  @ApiOperation({ summary: "The caller's tenant roles and the environment-wide roles" })
  @ApiOkResponse({ type: [RoleDto] })
  @ApiProblems(UPSTREAM_PROBLEMS)
  list(@CurrentPrincipal() principal: Principal): Promise<RoleDto[]> {
    return this.roles.rolesOf(principal);
  }
}
