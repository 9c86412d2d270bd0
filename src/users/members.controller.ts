import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Audited, bodyField, pathParameter } from '../audit/audited.decorator';
import { Authorize } from '../authorization/authorize.decorator';
import { AuthorizedTarget } from '../authorization/authorized-target.decorator';
import { Policies } from '../authorization/policies';
import type { Invitation, MemberWithRoles, TenantMember } from '../authorization/tenant-directory.service';
import { CurrentPrincipal } from '../auth/decorators/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { CurrentTrace } from '../common/http/current-trace.decorator';
import type { RequestTrace } from '../common/http/request-trace';
import { pathIdParameter } from '../common/openapi/path-id-parameter';
import { ApiProblems, JSON_BODY_PROBLEMS, withUpstreamProblems } from '../common/openapi/problem-responses';
import { ProfileDto } from '../profile/dto/profile.dto';
import { InviteMemberDto } from './dto/invite-member.dto';
import { ListMembersQueryDto } from './dto/list-members.query';
import { MemberDto, MembersPageDto } from './dto/member.dto';
import { SetMemberRolesDto } from './dto/set-member-roles.dto';
import { MemberAdministration } from './member-administration.service';
import { MembersService } from './members.service';

const USER_ID = pathIdParameter('userId');
const WRITE_PROBLEMS = {
  400: 'Invalid or unknown property, or an invalid user id (named in the detail); unknown role ids and ids of roles your tenant cannot see (in `unknownRoleIds`); nothing was sent upstream',
  ...JSON_BODY_PROBLEMS,
};
const MEMBER_RULES =
  'Not your own account (403 own-account), never a super-user (403 protected-user), never a member whose strongest role is stronger than yours (403 role-level).';

@ApiTags('members')
@Controller('v1/users')
export class MembersController {
  constructor(
    private readonly members: MembersService,
    private readonly administration: MemberAdministration,
  ) {}

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

  @Post()
  @Authorize(Policies.inviteMember)
  @Audited('member.invite', bodyField('email'))
  @ApiOperation({
    summary: 'Invite a user into your tenant',
    description:
      'A new user, or a user of another tenant who becomes a member of yours. Every role must be one your tenant sees, at most as strong as ' +
      'your own (403 role-level) and granting only permissions you hold (403 permission-escalation). An email that is already a member: 409.',
  })
  @ApiCreatedResponse({ type: MemberDto })
  @ApiProblems(withUpstreamProblems(WRITE_PROBLEMS))
  invite(
    @CurrentPrincipal() principal: Principal,
    @AuthorizedTarget() invitation: Invitation,
    @Body() body: InviteMemberDto,
    @CurrentTrace() trace: RequestTrace,
  ): Promise<MemberDto> {
    return this.administration.invite(principal, invitation, body, trace);
  }

  @Delete(':userId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authorize(Policies.removeMember)
  @Audited('member.remove', pathParameter('userId'))
  @ApiOperation({ summary: 'Remove a member from your tenant (not from its other tenants)', description: MEMBER_RULES })
  @ApiParam(USER_ID)
  @ApiNoContentResponse({ description: 'Removed from your tenant' })
  @ApiProblems(withUpstreamProblems({ 400: 'Invalid user id' }))
  remove(@CurrentPrincipal() principal: Principal, @AuthorizedTarget() member: TenantMember, @CurrentTrace() trace: RequestTrace): Promise<void> {
    return this.administration.remove(principal, member, trace);
  }

  @Put(':userId/roles')
  @Authorize(Policies.setMemberRoles)
  @Audited('member.set-roles', pathParameter('userId'))
  @ApiOperation({
    summary: "Set a member's roles in your tenant",
    description:
      `${MEMBER_RULES} Every role added or removed must be within your reach (403 role-level), every added role grant only permissions you ` +
      'hold (403 permission-escalation). Only the difference is sent upstream; if its second call fails, the first is undone and the answer is 502.',
  })
  @ApiParam(USER_ID)
  @ApiOkResponse({ type: MemberDto })
  @ApiProblems(withUpstreamProblems({ ...WRITE_PROBLEMS, 502: 'The identity API failed (a half-done role change is undone first)' }))
  setRoles(
    @CurrentPrincipal() principal: Principal,
    @AuthorizedTarget() member: MemberWithRoles,
    @Body() body: SetMemberRolesDto,
    @CurrentTrace() trace: RequestTrace,
  ): Promise<MemberDto> {
    return this.administration.setRoles(principal, member, body, trace);
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
