import { Body, Controller, Get, Put, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal } from '../auth/decorators/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { Authorize } from '../authorization/authorize.decorator';
import { Policies } from '../authorization/policies';
import { CurrentTrace } from '../common/http/current-trace.decorator';
import type { RequestTrace } from '../common/http/request-trace';
import { ApiProblems, JSON_BODY_PROBLEMS, withUpstreamProblems } from '../common/openapi/problem-responses';
import { MyTenantDto, SwitchTenantDto, TenantSwitchedDto } from './dto/my-tenant.dto';
import { MyTenantsService } from './my-tenants.service';

@ApiTags('tenants')
@Controller('v1/me')
export class MyTenantsController {
  constructor(private readonly tenants: MyTenantsService) {}

  @Get('tenants')
  @Authorize(Policies.listOwnTenants)
  @ApiOperation({ summary: 'The tenants you belong to; `active` marks the one your token (or session) is in' })
  @ApiOkResponse({ type: [MyTenantDto] })
  @ApiProblems(withUpstreamProblems())
  list(@CurrentPrincipal() principal: Principal, @CurrentTrace() trace: RequestTrace): Promise<MyTenantDto[]> {
    return this.tenants.list(principal, trace);
  }

  @Put('tenant')
  @Authorize(Policies.switchOwnTenant)
  @ApiOperation({
    summary: 'Make another of your tenants the active one',
    description:
      'Only a tenant you are an active member of (403 not-a-member). With a Bearer token, refresh it afterwards (`refreshRequired: true`); ' +
      'with a browser session the gateway refreshes it, and your next request runs in the new tenant.',
  })
  @ApiOkResponse({ type: TenantSwitchedDto })
  @ApiProblems(
    withUpstreamProblems({
      400: 'A missing or invalid tenantId, or another property (named in the detail); nothing was sent upstream',
      ...JSON_BODY_PROBLEMS,
    }),
  )
  switchTo(
    @CurrentPrincipal() principal: Principal,
    @Body() body: SwitchTenantDto,
    @Req() request: FastifyRequest,
    @CurrentTrace() trace: RequestTrace,
  ): Promise<TenantSwitchedDto> {
    return this.tenants.switchTo(principal, body.tenantId, request, trace);
  }
}
