import type { FronteggPermission, FronteggRole } from '../identity/frontegg-api.types';

/** A permission as stored: `roleIds` is derived from the roles when answering, never stored twice. */
export type PermissionRecord = Omit<FronteggPermission, 'roleIds'>;

/** A role as stored; `tenantId` is ENVIRONMENT_WIDE for a role every tenant sees. */
export interface RoleRecord extends FronteggRole<number> {
  tenantId: string;
}

/** The roles a user holds in one tenant, and whether the membership still lets the user in. */
export interface TenantMembership {
  tenantId: string;
  roleIds: string[];
  /** UserTenantDto's `isDisabled`: set by the tenant's disable/enable routes; false when absent. */
  isDisabled?: boolean;
  /** UserTenantDto's `temporaryExpirationDate` (ISO 8601): a temporary member is out after it. */
  temporaryExpirationDate?: string;
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
  /** Locked users cannot sign in anywhere (UserDto's `isLocked`). */
  isLocked: boolean;
  /** Hidden from tenant admins, such as the vendor's support accounts (UserDto's `invisible`). */
  invisible: boolean;
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

/** A tenant (account) as the user routes name it: UserTenantDataDto's `tenantId` and `name`. */
export interface TenantRecord {
  tenantId: string;
  name: string;
}

export interface IdentityData {
  tenants: TenantRecord[];
  permissions: PermissionRecord[];
  roles: RoleRecord[];
  users: UserRecord[];
}

/** The `tenantId` of an environment-wide role: RoleResponse types it as a string, so no null. */
export const ENVIRONMENT_WIDE = '';
