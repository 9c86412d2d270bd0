import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { TenantDirectory, type TenantMember } from '../authorization/tenant-directory.service';
import type { RequestTrace } from '../common/http/request-trace';
import { IdentityClient } from '../identity/identity.client';
import type { ProfileDto } from '../profile/dto/profile.dto';
import { ProfileAssembler } from '../profile/profile-assembler.service';
import type { ListMembersQueryDto } from './dto/list-members.query';
import type { MembersPageDto } from './dto/member.dto';
import { toMember } from './member.mapper';

/** What a tenant admin does about other members of the tenant (CONTRACT §4.2), once the route's policy allowed it. */
@Injectable()
export class MembersService {
  constructor(
    private readonly identity: IdentityClient,
    private readonly profiles: ProfileAssembler,
    private readonly directory: TenantDirectory,
  ) {}

  /** A page of the caller's tenant members, through the tenant-scoped accessor (which drops anyone else). */
  async list(principal: Principal, query: ListMembersQueryDto, trace: RequestTrace): Promise<MembersPageDto> {
    const { members, hasMore } = await this.directory.members(
      principal.tenantId,
      {
        _limit: query.limit,
        _offset: query.page,
        _email: query.email,
        _namePrefix: query.name,
        _sortBy: query.sort,
        _order: query.order === 'asc' ? 'ASC' : 'DESC',
      },
      trace,
    );
    return { items: members.map(({ user, membership }) => toMember(user, membership)), page: query.page, limit: query.limit, hasMore };
  }

  /** As seen from the caller's tenant: that tenant's roles, and no word of the member's other tenants. */
  profileOf(principal: Principal, { user, membership }: TenantMember, trace: RequestTrace): Promise<ProfileDto> {
    return this.profiles.inTenant(user, principal.tenantId, membership, [principal.tenantId], trace);
  }

  unenrollMfa({ user }: TenantMember, trace: RequestTrace): Promise<void> {
    return this.identity.unenrollMfa(user.id, trace);
  }
}
