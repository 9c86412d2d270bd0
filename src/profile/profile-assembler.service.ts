import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import type { RequestTrace } from '../common/http/request-trace';
import type { FronteggUser, FronteggUserTenant } from '../identity/frontegg-api.types';
import { RolesService } from '../roles/roles.service';
import type { ProfileDto } from './dto/profile.dto';
import { permissionKeysOf, toProfile } from './profile.mapper';

/** Shows an upstream user as seen from the caller's tenant: that tenant's roles and their permissions. */
@Injectable()
export class ProfileAssembler {
  constructor(private readonly roles: RolesService) {}

  async inCallerTenant(
    principal: Principal,
    user: FronteggUser,
    membership: FronteggUserTenant | undefined,
    trace: RequestTrace,
  ): Promise<ProfileDto> {
    const roles = membership?.roles ?? [];
    // The upstream's own permission list is for the user's active tenant only; otherwise resolve the roles.
    const keys =
      user.tenantId === principal.tenantId && Array.isArray(user.permissions)
        ? user.permissions.map((permission) => permission.key)
        : permissionKeysOf(roles, roles.length > 0 ? await this.roles.permissionCatalogue(trace) : []);
    return toProfile(user, principal.tenantId, roles, keys);
  }
}
