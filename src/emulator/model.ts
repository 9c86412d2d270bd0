import type { FronteggPermission, FronteggRole } from '../identity/frontegg-api.types';

/** A permission as stored: `roleIds` is derived from the roles when answering, never stored twice. */
export type PermissionRecord = Omit<FronteggPermission, 'roleIds'>;

/** A role as stored; `tenantId` is ENVIRONMENT_WIDE for a role every tenant sees. */
export interface RoleRecord extends FronteggRole {
  tenantId: string;
}

/** The roles a user holds in one tenant. */
export interface TenantMembership {
  tenantId: string;
  roleIds: string[];
}

/**
 * A user as stored: the mutable facts only. Fields of UserDto that never vary in the
 * emulator (provider, groups, ...) are filled when answering.
 */
export interface UserRecord {
  id: string;
  email: string;
  password: string;
  name: string;
  phoneNumber?: string;
  profilePictureUrl: string | null;
  verified: boolean;
  mfaEnrolled: boolean;
  mfaBypass: boolean;
  superUser: boolean;
  /** Stringified JSON object, as on the wire. */
  metadata: string;
  /** Stringified JSON object, as on the wire. */
  vendorMetadata: string;
  externalId?: string;
  createdAt: string;
  lastLogin: string;
  /** The tenant a sign-in lands in, and the UserDto's `tenantId`. */
  defaultTenantId: string;
  tenants: TenantMembership[];
}

export interface IdentityData {
  permissions: PermissionRecord[];
  roles: RoleRecord[];
  users: UserRecord[];
}

/** The `tenantId` of an environment-wide role: RoleResponse types it as a string, so no null. */
export const ENVIRONMENT_WIDE = '';
