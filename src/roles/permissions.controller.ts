import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authorize } from '../authorization/authorize.decorator';
import { Policies } from '../authorization/policies';
import { cachedJsonReply, type JsonText } from '../common/http/cached-json';
import { CurrentTrace } from '../common/http/current-trace.decorator';
import type { RequestTrace } from '../common/http/request-trace';
import { ApiProblems, CACHE_STATUS_HEADER, withUpstreamProblems } from '../common/openapi/problem-responses';
import { PermissionDto } from './dto/permission.dto';
import { RolesService } from './roles.service';

@ApiTags('roles')
@Controller('v1/permissions')
export class PermissionsController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @Authorize(Policies.listPermissions)
  @ApiOperation({ summary: "The environment's permission catalogue" })
  @ApiOkResponse({ type: [PermissionDto], headers: CACHE_STATUS_HEADER })
  @ApiProblems(withUpstreamProblems())
  async list(@CurrentTrace() trace: RequestTrace, @Res({ passthrough: true }) reply: FastifyReply): Promise<JsonText<PermissionDto[]>> {
    return cachedJsonReply(reply, await this.roles.permissions(trace));
  }
}
