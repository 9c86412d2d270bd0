import { Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Audited, pathParameter } from '../audit/audited.decorator';
import { Authorize } from '../authorization/authorize.decorator';
import { AuthorizedTarget } from '../authorization/authorized-target.decorator';
import { Policies } from '../authorization/policies';
import type { TenantMember } from '../authorization/tenant-directory.service';
import { CurrentPrincipal } from '../auth/decorators/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { CurrentTrace } from '../common/http/current-trace.decorator';
import type { RequestTrace } from '../common/http/request-trace';
import { pathIdParameter } from '../common/openapi/path-id-parameter';
import { ApiProblems, withUpstreamProblems } from '../common/openapi/problem-responses';
import { ProfileDto } from '../profile/dto/profile.dto';
import { MembersService } from './members.service';

const USER_ID = pathIdParameter('userId');

@ApiTags('members')
@Controller('v1/users')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get(':userId')
  @Authorize(Policies.readMember)
  @ApiOperation({ summary: 'A member of your tenant, with their roles and permissions in it' })
  @ApiParam(USER_ID)
  @ApiOkResponse({ type: ProfileDto })
  @ApiProblems(withUpstreamProblems({ 400: 'Invalid user id' }))
  get(@CurrentPrincipal() principal: Principal, @AuthorizedTarget() member: TenantMember, @CurrentTrace() trace: RequestTrace): Promise<ProfileDto> {
    return this.members.profileOf(principal, member, trace);
  }

  @Post(':userId/mfa/unenroll')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authorize(Policies.resetMemberMfa)
  @Audited('mfa.unenroll', pathParameter('userId'))
  @ApiOperation({
    summary: "Remove a member's MFA devices",
    description:
      'MFA is global upstream: only for users who belong to your tenant alone (else 403 multi-tenant-user), never a super-user ' +
      '(403 protected-user), never a user whose strongest role is stronger than yours (403 role-level). Your own id needs a ' +
      'sign-in within STEP_UP_MAX_AGE_S, as on POST /v1/me/mfa/unenroll.',
  })
  @ApiParam(USER_ID)
  @ApiNoContentResponse({ description: 'MFA removed' })
  @ApiProblems(withUpstreamProblems({ 400: 'Invalid user id' }))
  unenrollMfa(@AuthorizedTarget() member: TenantMember, @CurrentTrace() trace: RequestTrace): Promise<void> {
    return this.members.unenrollMfa(member, trace);
  }
}
