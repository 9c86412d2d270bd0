import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { membershipIn } from '../authorization/grants';
import { TenantDirectory } from '../authorization/tenant-directory.service';
import type { RequestTrace } from '../common/http/request-trace';
import { ProblemException } from '../common/problems/problem.exception';
import { definedFields } from '../common/validation/defined-fields';
import type { FronteggUpdateUserRequest, FronteggUser } from '../identity/frontegg-api.types';
import { IdentityClient } from '../identity/identity.client';
import type { ProfileDto } from './dto/profile.dto';
import type { UpdateOwnProfileDto } from './dto/update-own-profile.dto';
import { ProfileAssembler } from './profile-assembler.service';

/** What users do about themselves. */
@Injectable()
export class ProfileService {
  constructor(
    private readonly identity: IdentityClient,
    private readonly directory: TenantDirectory,
    private readonly profiles: ProfileAssembler,
  ) {}

  async profileOf(principal: Principal, trace: RequestTrace): Promise<ProfileDto> {
    return this.asProfile(principal, await this.directory.self(principal.userId, trace), trace);
  }

  async updateOwnProfile(principal: Principal, changes: UpdateOwnProfileDto, trace: RequestTrace): Promise<ProfileDto> {
    return this.asProfile(principal, await this.identity.updateUser(principal.userId, upstreamUpdateOf(changes), trace), trace);
  }

  /** The route's policy has already made sure the sign-in is recent. */
  unenrollOwnMfa(principal: Principal, trace: RequestTrace): Promise<void> {
    return this.identity.unenrollMfa(principal.userId, trace);
  }

  private asProfile(principal: Principal, user: FronteggUser, trace: RequestTrace): Promise<ProfileDto> {
    return this.profiles.inTenant(user, principal.tenantId, membershipIn(user, principal.tenantId), user.tenantIds ?? [], trace);
  }
}

/**
 * The upstream body, field by field from the validated DTO: exactly the fields the user gave,
 * `metadata` as the JSON string that UpdateVendorUserDto requires.
 */
export function upstreamUpdateOf(changes: UpdateOwnProfileDto): FronteggUpdateUserRequest {
  const body: FronteggUpdateUserRequest = definedFields(changes, ['name', 'phoneNumber', 'profilePictureUrl']);
  if (changes.metadata !== undefined) body.metadata = JSON.stringify(changes.metadata);
  if (Object.keys(body).length === 0) {
    throw ProblemException.badRequest('body must contain at least one of name, phoneNumber, profilePictureUrl, metadata');
  }
  return body;
}
