import type { FronteggRole, FronteggUser } from '../identity/frontegg-api.types';
import type { ProfileDto } from './dto/profile.dto';

/**
 * Shapes an upstream user as a profile for one tenant. Fields are listed one by one: whatever
 * else the upstream user carries (`vendorMetadata`, `mfaBypass`, `superUser`, ...) is left behind.
 */
export function toProfile(
  user: FronteggUser,
  tenantId: string,
  tenantIds: readonly string[],
  tenantRoles: readonly FronteggRole[],
  permissionKeys: readonly string[],
): ProfileDto {
  return {
    id: user.id,
    email: user.email,
    name: user.name ?? null,
    phoneNumber: user.phoneNumber ?? null,
    profilePictureUrl: user.profilePictureUrl ?? null,
    verified: user.verified ?? null,
    mfaEnrolled: user.mfaEnrolled ?? null,
    tenantId,
    tenantIds: [...tenantIds],
    roles: tenantRoles.map(({ id, key, name }) => ({ id, key, name })),
    permissions: [...permissionKeys],
    metadata: parseJsonObject(user.metadata),
    createdAt: user.createdAt ?? null,
    lastLogin: user.lastLogin ?? null,
  };
}

/** Upstream metadata is a JSON string; anything that is not a JSON object reads as `null`. */
export function parseJsonObject(text: string | null | undefined): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
