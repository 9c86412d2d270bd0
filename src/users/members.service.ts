import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import type { TenantMember } from '../authorization/tenant-directory.service';
import type { RequestTrace } from '../common/http/request-trace';
import { IdentityClient } from '../identity/identity.client';
import type { ProfileDto } from '../profile/dto/profile.dto';
import { ProfileAssembler } from '../profile/profile-assembler.service';

/** What a tenant admin does about other members of the tenant (CONTRACT §4.2), once the route's policy allowed it. */
@Injectable()
export class MembersService {
  constructor(
    private readonly identity: IdentityClient,
    private readonly profiles: ProfileAssembler,
  ) {}

  /** As seen from the caller's tenant: that tenant's roles, and no word of the member's other tenants. */
  profileOf(principal: Principal, { user, membership }: TenantMember, trace: RequestTrace): Promise<ProfileDto> {
    return this.profiles.inTenant(user, principal.tenantId, membership, [principal.tenantId], trace);
  }

  unenrollMfa({ user }: TenantMember, trace: RequestTrace): Promise<void> {
    return this.identity.unenrollMfa(user.id, trace);
  }
}
