/**
 * Ceiling F, the framework's ceiling for reads: the minimal NestJS + Fastify app (nest-minimal.ts)
 * answering `GET /v1/roles` with the very JSON the gateway answers the caller's tenant, the
 * object serialised per request as a Nest handler's return value is.
 */
import { Controller, Get, Module, Req } from '@nestjs/common';
import { TENANTS, expectedRolesAnswer } from '../fixtures';
import { startMinimalNest, type CallerRequest } from './nest-minimal';

const answers = new Map<string, object[]>(TENANTS.map((tenantId) => [tenantId, expectedRolesAnswer(tenantId)]));

@Controller()
class RolesController {
  @Get('v1/roles')
  roles(@Req() request: CallerRequest): object[] {
    return answers.get(request.caller!.tenantId) ?? [];
  }
}

@Module({ controllers: [RolesController] })
class RolesModule {}

void startMinimalNest(RolesModule);
