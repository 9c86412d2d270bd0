import { Injectable } from '@nestjs/common';
import { membershipInCallerTenant } from '../access/tenant-access';
import type { Principal } from '../auth/principal';
import { ProblemException } from '../common/problems/problem.exception';
import type { FronteggUpdateUserRequest, FronteggUser } from '../identity/frontegg-api.types';
import { IdentityClient } from '../identity/identity.client';
import { RolesService } from '../roles/roles.service';
import type { ProfileDto } from './dto/profile.dto';
import type { UpdateOwnProfileDto } from './dto/update-own-profile.dto';
import { permissionKeysOf, toProfile } from './profile.mapper';

@Injectable()
export class ProfileService {
  constructor(
    private readonly identity: IdentityClient,
    private readonly roles: RolesService,
  ) {}

  async profileOf(principal: Principal): Promise<ProfileDto> {
    return this.asProfile(principal, await this.identity.getUser(principal.userId));
  }

  async updateOwnProfile(principal: Principal, changes: UpdateOwnProfileDto): Promise<ProfileDto> {
    const updated = await this.identity.updateUser(principal.userId, upstreamUpdateOf(changes));
    return this.asProfile(principal, updated);
  }

  /** The user as seen from the caller's tenant: that tenant's roles and their permissions. */
  private async asProfile(principal: Principal, user: FronteggUser): Promise<ProfileDto> {
    const roles = membershipInCallerTenant(principal, user)?.roles ?? [];
    const keys =
      user.tenantId === principal.tenantId && Array.isArray(user.permissions)
        ? user.permissions.map((permission) => permission.key)
        : permissionKeysOf(roles, roles.length > 0 ? await this.roles.permissionCatalogue() : []);
    return toProfile(user, principal.tenantId, roles, keys);
  }
}

/**
 * The upstream body, field by field from the validated DTO: exactly the fields the user gave,
 * `metadata` as the JSON string that UpdateVendorUserDto requires.
 */
export function upstreamUpdateOf(changes: UpdateOwnProfileDto): FronteggUpdateUserRequest {
  const body: FronteggUpdateUserRequest = {};
  if (changes.name !== undefined) body.name = changes.name;
  if (changes.phoneNumber !== undefined) body.phoneNumber = changes.phoneNumber;
  if (changes.profilePictureUrl !== undefined) body.profilePictureUrl = changes.profilePictureUrl;
  if (changes.metadata !== undefined) body.metadata = JSON.stringify(changes.metadata);
  if (Object.keys(body).length === 0) {
    throw ProblemException.badRequest('body must contain at least one of name, phoneNumber, profilePictureUrl, metadata');
  }
  return body;
}
