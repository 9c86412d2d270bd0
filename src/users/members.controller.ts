import { Controller, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
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
import { ListMembersQueryDto } from './dto/list-members.query';
import { MembersPageDto } from './dto/member.dto';
import { MembersService } from './members.service';

const USER_ID = pathIdParameter('userId');

@ApiTags('members')
@Controller('v1/users')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  @Authorize(Policies.listMembers)
  @ApiOperation({
    summary: "A page of your tenant's members",
    description:
      'Only members of your tenant, never an invisible user (such as the vendor\'s support accounts), whatever the identity API ' +
      'answers; no count of users. `hasMore` says whether a next page exists.',
  })
  @ApiOkResponse({ type: MembersPageDto })
  @ApiProblems(withUpstreamProblems({ 400: 'A query parameter that is unknown, repeated or out of range (named in the detail); nothing was sent upstream' }))
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListMembersQueryDto, @CurrentTrace() trace: RequestTrace): Promise<MembersPageDto> {
    return this.members.list(principal, query, trace);
  }

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
