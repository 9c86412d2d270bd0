import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../auth/decorators/authenticated.decorator';
import { CurrentTrace } from '../common/http/current-trace.decorator';
import type { RequestTrace } from '../common/http/request-trace';
import { ApiProblems, CACHE_STATUS_HEADER, UPSTREAM_PROBLEMS } from '../common/openapi/problem-responses';
import { PermissionDto } from './dto/permission.dto';
import { RolesService } from './roles.service';

@ApiTags('roles')
@Controller('v1/permissions')
export class PermissionsController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @Authenticated({ permission: 'fe.secure.read.roles' })
  @ApiOperation({ summary: "The environment's permission catalogue" })
  @ApiOkResponse({ type: [PermissionDto], headers: CACHE_STATUS_HEADER })
  @ApiProblems(UPSTREAM_PROBLEMS)
  async list(@CurrentTrace() trace: RequestTrace, @Res({ passthrough: true }) reply: FastifyReply): Promise<PermissionDto[]> {
    const { value: catalogue, cacheStatus } = await this.roles.permissionCatalogueAnswer(trace);
    reply.header('Cache-Status', cacheStatus);
    return catalogue.map(({ id, key, name, description, categoryId }) => ({
      id,
      key,
      name,
      description: description ?? null,
      categoryId: categoryId ?? null,
    }));
  }
}
