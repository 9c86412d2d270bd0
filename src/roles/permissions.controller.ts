import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/decorators/authenticated.decorator';
import { ApiProblems, UPSTREAM_PROBLEMS } from '../common/openapi/problem-responses';
import { PermissionDto } from './dto/permission.dto';
import { RolesService } from './roles.service';

@ApiTags('roles')
@Controller('v1/permissions')
export class PermissionsController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @Authenticated({ permission: 'fe.secure.read.roles' })
  @ApiOperation({ summary: "The environment's permission catalogue" })
  @ApiOkResponse({ type: [PermissionDto] })
  @ApiProblems(UPSTREAM_PROBLEMS)
  async list(): Promise<PermissionDto[]> {
    const catalogue = await this.roles.permissionCatalogue();
    return catalogue.map(({ id, key, name, description, categoryId }) => ({
      id,
      key,
      name,
      description: description ?? null,
      categoryId: categoryId ?? null,
    }));
  }
}
