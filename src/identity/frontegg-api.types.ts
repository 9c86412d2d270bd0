import type { RoleLevel } from './role-level';

/**
 * The subset of Frontegg's management API that the gateway uses, written from
 * Frontegg's official OpenAPI documents (identity.json, env-auth.json).
 * Wire types only: the gateway's own shapes live beside the feature that answers them.
 */

/** `POST /auth/vendor` body (VendorAuthenticationRequest). */
export interface VendorAuthenticationRequest {
  clientId: string;
  secret: string;
}

/** `POST /auth/vendor` answer (VendorAuthenticationResponse); `expiresIn` is in seconds. */
export interface VendorAuthenticationResponse {
  token: string;
  expiresIn: number;
}

/**
 * RoleResponse. `tenantId` is empty (or absent) for an environment-wide role. `Level` is the
 * level as the gateway holds it once the identity client read it (role-level.ts); the wire form
 * (what the emulator sends) is `FronteggRole<number>`.
 */
export interface FronteggRole<Level = RoleLevel> {
  id: string;
  vendorId: string;
  tenantId: string | null;
  key: string;
  name: string;
  description: string;
  isDefault: boolean;
  firstUserRole: boolean;
  level: Level;
  createdAt: string;
  updatedAt: string;
  /** Permission ids. */
  permissions: string[];
}

/** AddRoleRequest (items of the array body of `POST /identity/resources/roles/v1`). */
export interface FronteggAddRoleRequest {
  key: string;
  name: string;
  description?: string;
  isDefault?: boolean;
  migrateRole?: boolean;
  firstUserRole?: boolean;
  level: number;
}

/** UpdateRoleRequest (`PATCH /identity/resources/roles/v1/{roleId}`). */
export type FronteggUpdateRoleRequest = Partial<FronteggAddRoleRequest>;

/** AddPermissionToRoleRequest (`PUT /identity/resources/roles/v1/{roleId}/permissions`). */
export interface FronteggSetRolePermissionsRequest {
  permissionIds: string[];
}

/** PermissionResponse. */
export interface FronteggPermission {
  id: string;
  key: string;
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
  roleIds: string[];
  categoryId: string;
  fePermission: boolean;
}

/** UserTenantDto. */
export interface FronteggUserTenant<Level = RoleLevel> {
  tenantId: string;
  roles: FronteggRole<Level>[];
  temporaryExpirationDate?: string;
  isDisabled?: boolean;
}

/** UserDto (`GET /identity/resources/vendor-only/users/v1/{userId}`, answer of the user update). */
export interface FronteggUser<Level = RoleLevel> {
  id: string;
  email: string;
  name: string;
  profilePictureUrl: string | null;
  sub: string;
  verified: boolean;
  mfaEnrolled: boolean;
  mfaBypass?: boolean;
  phoneNumber?: string | null;
  roles: FronteggRole<Level>[];
  permissions: FronteggPermission[];
  provider: string;
  tenantId: string;
  tenantIds: string[];
  activatedForTenant?: boolean;
  isLocked?: boolean;
  tenants: FronteggUserTenant<Level>[];
  invisible?: boolean;
  superUser?: boolean;
  /** Stringified JSON object. */
  metadata: string | null;
  /** Stringified JSON object, vendor-only. */
  vendorMetadata: string | null;
  externalId?: string | null;
  createdAt: string;
  lastLogin: string | null;
  groups?: object[];
  subAccountAccessAllowed: boolean;
  managedBy?: 'frontegg' | 'scim2' | 'external';
}

/** UpdateVendorUserDto (`PUT /identity/resources/users/v1/{userId}`); every field optional. */
export interface FronteggUpdateUserRequest {
  phoneNumber?: string;
  profilePictureUrl?: string | null;
  /** Stringified JSON object. */
  metadata?: string;
  /** Stringified JSON object. */
  vendorMetadata?: string;
  mfaBypass?: boolean;
  externalId?: string;
  name?: string;
}

/** UserV3Dto (items of `GET /identity/resources/users/v3`): UserDto without top-level roles and permissions. */
export type FronteggUserV3 = Omit<FronteggUser, 'roles' | 'permissions' | 'groups'>;

/** `GET /identity/resources/users/v3` answer: FronteggPaginationWrapper with links and totals. */
export interface FronteggUsersPage {
  items: FronteggUserV3[];
  _links?: { next?: string; prev?: string; first?: string; last?: string };
  _metadata?: { totalItems?: number; totalPages?: number };
}

/** The query of `GET /identity/resources/users/v3` the gateway sends; `_offset` is a page number. */
export interface FronteggUsersQuery {
  _limit: number;
  _offset: number;
  _email?: string;
  _namePrefix?: string;
  _sortBy: 'createdAt' | 'name' | 'email';
  _order: 'ASC' | 'DESC';
}

/** CreateUserDto (`POST /identity/resources/users/v2`): the fields the gateway sends; `metadata` is required by the operation. */
export interface FronteggCreateUserRequest {
  email: string;
  name?: string;
  /** Stringified JSON object. */
  metadata: string;
  roleIds?: string[];
  skipInviteEmail?: boolean;
}

/** UserCreatedResponse. */
export interface FronteggUserCreated {
  id: string;
  email: string;
  verified?: boolean;
  name?: string;
  profilePictureUrl?: string;
  /** Role ids. */
  roles?: string[];
  createdAt?: string;
  lastLogin?: string;
}

/** AssignUserToRolesDto / UnassignUserFromRolesDto. */
export interface FronteggUserRolesRequest {
  roleIds: string[];
}

/** UserTenantDataDto (items of `GET /identity/resources/users/v2/me/tenants`). */
export interface FronteggUserTenantData {
  tenantId: string;
  name: string;
}

/** UpdateUserTenantDto (`PUT /identity/resources/users/v1/tenant`). */
export interface FronteggUpdateUserTenantRequest {
  tenantId: string;
}

/** AuthenticateUserPasswordDto (`POST /identity/resources/auth/v1/user`). */
export interface FronteggPasswordLoginRequest {
  email?: string;
  username?: string;
  password: string;
  recaptchaToken?: string;
  invitationToken?: string;
}

/** AuthenticationResponseDto (the fields the emulator fills). */
export interface FronteggAuthenticationResponse {
  tokenType?: string;
  mfaRequired: boolean;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  expires: string;
  userId?: string;
  userEmail?: string;
  emailVerified?: boolean;
}

/** Frontegg's error body: `{ errors: [message, ...] }`. */
export interface FronteggErrorBody {
  errors?: string[];
  message?: string | string[];
  statusCode?: number;
}

/**
 * The entitlements snapshot that Frontegg's SDKs read (`GET /entitlements/api/v1/vendor-entitlements`),
 * in the tuple shapes of `@frontegg/client`'s `vendor-entitlements/v1` types. JSON may shorten a
 * grant tuple or give null for an absent user or expiry.
 */
export type EntitlementsTreatment = 'true' | 'false';

/** A feature flag's or a plan's targeting rule; conditions are those of `@frontegg/entitlements-javascript-commons`. */
export interface EntitlementsRule {
  description?: string;
  conditionLogic: 'and' | 'or';
  conditions: { attribute: string; attributeType?: 'custom' | 'frontegg'; negate: boolean; op: string; value: Record<string, unknown> }[];
  treatment: EntitlementsTreatment;
}

/** `[id, key, permission keys]` */
export type EntitlementsFeatureTuple = [string, string, string[]];
/** A plan ("feature bundle"): `[id, feature ids, default treatment, targeting rules]` */
export type EntitlementsPlanTuple = [string, string[], EntitlementsTreatment, EntitlementsRule[]];
/** A grant of a plan: `[plan id, tenant id, user id?, expiry (ISO 8601)?]` */
export type EntitlementsGrantTuple = [string, string, (string | null)?, (string | null)?];
/** `[feature key, on, 'boolean', default treatment, off treatment, rules]` */
export type EntitlementsFlagTuple = [string, boolean, 'boolean', EntitlementsTreatment, EntitlementsTreatment, EntitlementsRule[]];

export interface VendorEntitlementsData {
  features: EntitlementsFeatureTuple[];
  featureBundles: EntitlementsPlanTuple[];
  entitlements: EntitlementsGrantTuple[];
  featureFlags: EntitlementsFlagTuple[];
}

/** `GET /entitlements/api/v1/vendor-entitlements` */
export interface VendorEntitlementsResponse {
  data: VendorEntitlementsData;
  snapshotOffset: number;
}

/** `GET /entitlements/api/v1/vendor-entitlements-snapshot-offset` */
export interface VendorEntitlementsOffsetResponse {
  snapshotOffset: number;
}
