import type { FronteggUserTenant, FronteggUserV3 } from '../identity/frontegg-api.types';
import type { MemberDto } from './dto/member.dto';

/** Field by field: whatever else the upstream user carries (`vendorMetadata`, `superUser`, other tenants, ...) is left behind. */
type MemberFields = Pick<FronteggUserV3, 'id' | 'email'> &
  Partial<Pick<FronteggUserV3, 'name' | 'profilePictureUrl' | 'verified' | 'mfaEnrolled' | 'createdAt' | 'lastLogin'>>;

/** A listed, read or just invited user; any field the upstream left out is `null`. */
export function toMember(user: MemberFields, membership: Pick<FronteggUserTenant, 'roles'>): MemberDto {
  return {
    id: user.id,
    email: user.email,
    name: user.name ?? null,
    profilePictureUrl: user.profilePictureUrl ?? null,
    verified: user.verified ?? null,
    mfaEnrolled: user.mfaEnrolled ?? null,
    roles: (membership.roles ?? []).map(({ id, key, name }) => ({ id, key, name })),
    createdAt: user.createdAt ?? null,
    lastLogin: user.lastLogin ?? null,
  };
}
