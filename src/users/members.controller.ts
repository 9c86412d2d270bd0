import { Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Audited, pathParameter } from '../audit/audited.decorator';
import { Authenticated } from '../auth/decorators/authenticated.decorator';
import { CurrentPrincipal } from '../auth/decorators/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { CurrentTrace } from '../common/http/current-trace.decorator';
import type { RequestTrace } from '../common/http/request-trace';
import { ApiProblems, UPSTREAM_PROBLEMS } from '../common/openapi/problem-responses';
import { PathIdPipe } from '../common/pipes/path-id.pipe';
import { ProfileDto } from '../profile/dto/profile.dto';
import { MembersService } from './members.service';

const USER_ID = { name: 'userId', pattern: '^[A-Za-z0-9_-]{1,64}$' };
const NOT_A_MEMBER = 'No such user in your tenant (users of other tenants are not revealed)';

@ApiTags('members')
@Controller('v1/users')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get(':userId')
  @Authenticated({ permission: 'fe.secure.read.users' })
  @ApiOperation({ summary: 'A member of your tenant, with their roles and permissions in it' })
  @ApiParam(USER_ID)
  @ApiOkResponse({ type: ProfileDto })
  @ApiProblems({ 400: 'Invalid user id', 404: NOT_A_MEMBER, ...UPSTREAM_PROBLEMS })
  get(@CurrentPrincipal() principal: Principal, @Param('userId', PathIdPipe) userId: string, @CurrentTrace() trace: RequestTrace): Promise<ProfileDto> {
    return this.members.profileOf(principal, userId, trace);
  }

  @Post(':userId/mfa/unenroll')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authenticated({ permission: 'fe.secure.write.users' })
  @Audited('mfa.unenroll', pathParameter('userId'))
  @ApiOperation({
    summary: "Remove a member's MFA devices",
    description: 'MFA is global upstream: only for users who belong to your tenant alone, never a super-user.',
  })
  @ApiParam(USER_ID)
  @ApiNoContentResponse({ description: 'MFA removed' })
  @ApiProblems({ 400: 'Invalid user id', 404: NOT_A_MEMBER, ...UPSTREAM_PROBLEMS })
  unenrollMfa(@CurrentPrincipal() principal: Principal, @Param('userId', PathIdPipe) userId: string, @CurrentTrace() trace: RequestTrace): Promise<void> {
    return this.members.unenrollMfa(principal, userId, trace);
  }
}
