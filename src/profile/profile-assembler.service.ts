import { Injectable } from '@nestjs/common';
import { permissionKeysOf } from '../authorization/grants';
import { PermissionCatalogue } from '../authorization/permission-catalogue.service';
import type { RequestTrace } from '../common/http/request-trace';
import type { FronteggUser, FronteggUserTenant } from '../identity/frontegg-api.types';
import type { ProfileDto } from './dto/profile.dto';
import { toProfile } from './profile.mapper';

/** Shows an upstream user as seen from one tenant: that tenant's roles and their permissions. */
@Injectable()
export class ProfileAssembler {
  constructor(private readonly catalogue: PermissionCatalogue) {}

  /**
   * `tenantIds`: what the viewer may know of the user's tenants (all of them for the user itself,
   * the viewer's tenant only for an admin of another member).
   */
  async inTenant(
    user: FronteggUser,
    tenantId: string,
    membership: FronteggUserTenant | undefined,
    tenantIds: readonly string[],
    trace: RequestTrace,
  ): Promise<ProfileDto> {
    const roles = membership?.roles ?? [];
    // The upstream's own permission list is for the user's active tenant only; otherwise resolve the roles.
    const keys =
      user.tenantId === tenantId && Array.isArray(user.permissions)
        ? user.permissions.map((permission) => permission.key)
        : permissionKeysOf(roles, roles.length > 0 ? await this.catalogue.list(trace) : []);
    return toProfile(user, tenantId, tenantIds, roles, keys);
  }
}
