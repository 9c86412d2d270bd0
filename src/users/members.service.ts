import { Injectable } from '@nestjs/common';
import { assertMfaResetStaysInTenant, memberOfCallerTenant } from '../access/tenant-access';
import type { Principal } from '../auth/principal';
import type { RequestTrace } from '../common/http/request-trace';
import { IdentityClient } from '../identity/identity.client';
import type { ProfileDto } from '../profile/dto/profile.dto';
import { ProfileAssembler } from '../profile/profile-assembler.service';

/** What a tenant admin does about other members of the tenant (CONTRACT §4.2). */
@Injectable()
export class MembersService {
  constructor(
    private readonly identity: IdentityClient,
    private readonly profiles: ProfileAssembler,
  ) {}

  async profileOf(principal: Principal, userId: string, trace: RequestTrace): Promise<ProfileDto> {
    const user = await this.identity.getUser(userId, trace);
    return this.profiles.inCallerTenant(principal, user, memberOfCallerTenant(principal, user), trace);
  }

  async unenrollMfa(principal: Principal, userId: string, trace: RequestTrace): Promise<void> {
    const user = await this.identity.getUser(userId, trace);
    memberOfCallerTenant(principal, user);
    assertMfaResetStaysInTenant(principal, user);
    await this.identity.unenrollMfa(userId, trace);
  }
}
