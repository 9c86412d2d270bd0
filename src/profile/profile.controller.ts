import { Body, Controller, Get, HttpCode, HttpStatus, Patch, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited, callerItself } from '../audit/audited.decorator';
import { Authorize } from '../authorization/authorize.decorator';
import { Policies } from '../authorization/policies';
import { CurrentPrincipal } from '../auth/decorators/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { CurrentTrace } from '../common/http/current-trace.decorator';
import type { RequestTrace } from '../common/http/request-trace';
import { ApiProblems, JSON_BODY_PROBLEMS, withUpstreamProblems } from '../common/openapi/problem-responses';
import { ProfileDto } from './dto/profile.dto';
import { UpdateOwnProfileDto } from './dto/update-own-profile.dto';
import { ProfileService } from './profile.service';

@ApiTags('profile')
@Controller('v1/me')
export class ProfileController {
  constructor(private readonly profiles: ProfileService) {}

  @Get()
  @Authorize(Policies.readOwnProfile)
  @ApiOperation({ summary: "The caller's profile in its active tenant" })
  @ApiOkResponse({ type: ProfileDto })
  @ApiProblems(withUpstreamProblems({ 404: 'The user no longer exists upstream' }))
  get(@CurrentPrincipal() principal: Principal, @CurrentTrace() trace: RequestTrace): Promise<ProfileDto> {
    return this.profiles.profileOf(principal, trace);
  }

  @Patch()
  @Authorize(Policies.updateOwnProfile)
  @ApiOperation({ summary: 'Change your own name, phone number, picture or metadata' })
  @ApiOkResponse({ type: ProfileDto })
  @ApiProblems(
    withUpstreamProblems({
      400: 'Invalid or unknown property (named in the detail); nothing was sent upstream',
      404: 'The user no longer exists upstream',
      ...JSON_BODY_PROBLEMS,
    }),
  )
  update(@CurrentPrincipal() principal: Principal, @Body() changes: UpdateOwnProfileDto, @CurrentTrace() trace: RequestTrace): Promise<ProfileDto> {
    return this.profiles.updateOwnProfile(principal, changes, trace);
  }

  @Post('mfa/unenroll')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authorize(Policies.resetOwnMfa)
  @Audited('mfa.unenroll-self', callerItself)
  @ApiOperation({ summary: 'Remove your own MFA devices (needs a sign-in within STEP_UP_MAX_AGE_S)' })
  @ApiNoContentResponse({ description: 'MFA removed' })
  @ApiProblems(withUpstreamProblems({ 404: 'The user no longer exists upstream' }))
  unenrollMfa(@CurrentPrincipal() principal: Principal, @CurrentTrace() trace: RequestTrace): Promise<void> {
    return this.profiles.unenrollOwnMfa(principal, trace);
  }
}
