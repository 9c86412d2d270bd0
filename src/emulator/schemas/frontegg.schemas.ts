/**
 * JSON schemas of the Frontegg operations the emulator serves, written from Frontegg's
 * official OpenAPI documents (identity.json, env-auth.json). Request schemas validate
 * what the emulator accepts; response schemas pin what it answers (the schema tests
 * validate every answer against them), so the emulator cannot drift from the real API.
 *
 * Where these schemas are stricter than the documents, it is on purpose:
 * - Management write bodies refuse unknown properties. Frontegg may ignore them, but a
 *   gateway that forwards more than it should (mfaBypass, vendorMetadata, ...) must fail
 *   loudly against the emulator instead of passing unnoticed.
 * - `metadata` and `vendorMetadata` must be strings holding a JSON object: the documents
 *   say "stringified JSON object" in prose only.
 * - Response schemas refuse properties the documents do not define, and require the
 *   fields the emulator always sends (e.g. VendorAuthenticationResponse's token and
 *   expiresIn, which the document leaves optional but every SDK reads).
 */
import type { SchemaObject } from 'ajv';
import { JSON_OBJECT_STRING } from '../validation';

const string = { type: 'string' } as const;
const boolean = { type: 'boolean' } as const;
const number = { type: 'number' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const stringArray = { type: 'array', items: string } as const;
const jsonObjectString = { type: 'string', format: JSON_OBJECT_STRING } as const;
/** "Role level for roles elevation, lower level means stronger role." */
const roleLevel = { type: 'number', minimum: 0, maximum: 32767 } as const;

/** A closed object: every listed property typed, nothing else allowed. */
function closedObject(properties: Record<string, SchemaObject>, required: string[] = []): SchemaObject {
  return { type: 'object', additionalProperties: false, required, properties };
}

/** A closed object whose every property is required. */
function completeObject(properties: Record<string, SchemaObject>): SchemaObject {
  return closedObject(properties, Object.keys(properties));
}

function arrayOf(items: SchemaObject): SchemaObject {
  return { type: 'array', items };
}

// ---- Requests ----

/**
 * VendorAuthenticationRequest (env-auth.json). Unknown properties are tolerated here and
 * on the sign-in body: those are sent by SDKs and login boxes we do not control.
 */
const vendorAuthenticationRequest: SchemaObject = {
  type: 'object',
  required: ['clientId', 'secret'],
  properties: { clientId: string, secret: string },
};

/** AuthenticateUserPasswordDto. "Either email or username must be provided" is checked by the route. */
const passwordLoginRequest: SchemaObject = {
  type: 'object',
  required: ['password'],
  properties: { email: string, username: string, password: string, recaptchaToken: string, invitationToken: string },
};

const addRoleRequest = closedObject(
  {
    key: string,
    name: string,
    description: string,
    isDefault: boolean,
    migrateRole: boolean,
    firstUserRole: boolean,
    level: roleLevel,
  },
  ['key', 'name', 'level'],
);

/** UpdateRoleRequest: AddRoleRequest's properties, none required. */
const updateRoleRequest = closedObject(addRoleRequest.properties as Record<string, SchemaObject>);

/** AddPermissionToRoleRequest. */
const setRolePermissionsRequest = closedObject({ permissionIds: stringArray }, ['permissionIds']);

/** UpdateVendorUserDto: a partial update, every property optional. */
const updateVendorUserRequest = closedObject({
  phoneNumber: { type: 'string', pattern: '^\\+[1-9]{1}(\\-?)(([0-9])(\\-?)){5,13}(([0-9]$){1})' },
  profilePictureUrl: { type: ['string', 'null'], maxLength: 4095 },
  metadata: jsonObjectString,
  vendorMetadata: jsonObjectString,
  mfaBypass: boolean,
  externalId: string,
  name: string,
});

/**
 * CreateUserDto. The operation's description makes `email` and `metadata` required ("The `email`
 * and `metadata` fields are required"); the emulator takes email invitations only (no username).
 */
const createUserRequest = closedObject(
  {
    email: { type: 'string', format: 'email' },
    username: { type: 'string', maxLength: 255, pattern: '^[a-zA-Z0-9._-]+$' },
    name: string,
    profilePictureUrl: { type: 'string', maxLength: 4095 },
    password: string,
    phoneNumber: string,
    provider: { type: 'string', enum: ['local', 'saml', 'google', 'github', 'facebook', 'microsoft', 'scim2', 'slack', 'apple'] },
    metadata: jsonObjectString,
    skipInviteEmail: boolean,
    roleIds: stringArray,
    emailMetadata: { type: 'object' },
    expirationInSeconds: { type: 'number', minimum: 300 },
  },
  ['email', 'metadata'],
);

/** AssignUserToRolesDto and UnassignUserFromRolesDto (the same shape). */
const userRolesRequest = closedObject({ roleIds: stringArray }, ['roleIds']);

/** UpdateUserTenantDto. */
const updateUserTenantRequest = closedObject({ tenantId: string }, ['tenantId']);

export const fronteggRequestSchemas = {
  createUser: createUserRequest,
  userRoles: userRolesRequest,
  updateUserTenant: updateUserTenantRequest,
  vendorAuthentication: vendorAuthenticationRequest,
  passwordLogin: passwordLoginRequest,
  addRoles: arrayOf(addRoleRequest),
  updateRole: updateRoleRequest,
  setRolePermissions: setRolePermissionsRequest,
  updateVendorUser: updateVendorUserRequest,
};

// ---- Responses ----

/** VendorAuthenticationResponse (env-auth.json). */
const vendorAuthenticationResponse = completeObject({ token: string, expiresIn: number });

/**
 * AuthenticationResponseDto: the properties a password sign-in without MFA answers
 * (the MFA and password-policy properties belong to flows the emulator does not run).
 */
const authenticationResponse = completeObject({
  tokenType: string,
  mfaRequired: boolean,
  accessToken: string,
  refreshToken: string,
  expiresIn: number,
  expires: string,
  userId: string,
  userEmail: string,
  emailVerified: boolean,
});

/** RoleResponse: every property is required by the document. */
const roleResponse = completeObject({
  id: string,
  vendorId: string,
  tenantId: string,
  key: string,
  name: string,
  description: string,
  isDefault: boolean,
  firstUserRole: boolean,
  level: number,
  createdAt: dateTime,
  updatedAt: dateTime,
  permissions: stringArray,
});

/** PermissionResponse: every property is required by the document. */
const permissionResponse = completeObject({
  id: string,
  key: string,
  name: string,
  description: string,
  createdAt: dateTime,
  updatedAt: dateTime,
  roleIds: stringArray,
  categoryId: string,
  fePermission: boolean,
});

const userTenant = closedObject(
  { tenantId: string, roles: arrayOf(roleResponse), temporaryExpirationDate: dateTime, isDisabled: boolean },
  ['tenantId', 'roles'],
);

/**
 * UserDto. One deviation from the document: `profilePictureUrl` may be null, because
 * UpdateVendorUserDto lets a caller set it to null and the user must still be answered.
 */
const userResponse = closedObject(
  {
    id: string,
    email: string,
    name: string,
    profilePictureUrl: { type: ['string', 'null'] },
    sub: string,
    verified: boolean,
    mfaEnrolled: boolean,
    mfaBypass: boolean,
    phoneNumber: string,
    roles: arrayOf(roleResponse),
    permissions: arrayOf(permissionResponse),
    provider: string,
    tenantId: string,
    tenantIds: stringArray,
    activatedForTenant: boolean,
    isLocked: boolean,
    tenants: arrayOf(userTenant),
    invisible: boolean,
    superUser: boolean,
    metadata: jsonObjectString,
    vendorMetadata: jsonObjectString,
    externalId: string,
    createdAt: dateTime,
    lastLogin: dateTime,
    groups: arrayOf({ type: 'object' }),
    subAccountAccessAllowed: boolean,
    managedBy: { type: 'string', enum: ['frontegg', 'scim2', 'external'] },
  },
  [
    'id',
    'email',
    'name',
    'profilePictureUrl',
    'sub',
    'verified',
    'mfaEnrolled',
    'roles',
    'permissions',
    'provider',
    'tenantId',
    'tenantIds',
    'tenants',
    'metadata',
    'vendorMetadata',
    'createdAt',
    'lastLogin',
    'subAccountAccessAllowed',
  ],
);

const enumOf = (...values: string[]) => ({ type: 'string', enum: values });

/** VendorConfigResponse: every property is required by the document. */
const vendorConfigResponse = completeObject({
  id: string,
  defaultTokenExpiration: number,
  defaultRefreshTokenExpiration: number,
  publicKey: string,
  cookieSameSite: enumOf('STRICT', 'LAX', 'NONE'),
  allowSignups: boolean,
  apiTokensEnabled: boolean,
  allowOverridePasswordComplexity: boolean,
  allowOverridePasswordExpiration: boolean,
  allowOverrideEnforcePasswordHistory: boolean,
  jwtAlgorithm: enumOf('RS256', 'HS256'),
  jwtSecret: string,
  allowNotVerifiedUsersLogin: boolean,
  forcePermissions: boolean,
  authStrategy: enumOf(
    'EmailAndPassword',
    'MagicLink',
    'Code',
    'NoLocalAuthentication',
    'SmsCode',
    'UsernameAndPassword',
    'UsernameAndMagicLink',
    'UsernameAndCode',
    'UsernameAndSms',
  ),
  defaultPasswordlessTokenExpiration: number,
  forceSameDeviceOnAuth: boolean,
  allowTenantInvitations: boolean,
  rotateRefreshTokens: boolean,
  machineToMachineAuthStrategy: enumOf('ClientCredentials', 'AccessToken'),
  addRolesToJwt: boolean,
  addPermissionsToJwt: boolean,
  refreshTokensRotationLimit: number,
  addSamlAttributesToJwt: boolean,
  allowCustomLoginTenantSwitch: boolean,
});

/** UserV3Dto: UserDto without top-level roles, permissions and groups; a null picture as in UserDto. */
const userV3Response = closedObject(
  Object.fromEntries(
    Object.entries(userResponse.properties as Record<string, SchemaObject>).filter(([name]) => !['roles', 'permissions', 'groups'].includes(name)),
  ),
  (userResponse.required as string[]).filter((name) => !['roles', 'permissions'].includes(name)),
);

/** `GET /resources/users/v3`: FronteggPaginationWrapper with items, _links and _metadata. */
const usersPageResponse = completeObject({
  items: arrayOf(userV3Response),
  _links: completeObject({ next: string, prev: string, first: string, last: string }),
  _metadata: completeObject({ totalItems: number, totalPages: number }),
});

/** UserCreatedResponse (no property required by the document; the emulator sends all but the expiry). */
const userCreatedResponse = closedObject(
  {
    id: string,
    email: string,
    verified: boolean,
    name: string,
    profilePictureUrl: string,
    roles: stringArray,
    permissions: stringArray,
    metadata: jsonObjectString,
    createdAt: dateTime,
    lastLogin: dateTime,
    activatedForTenant: boolean,
    temporaryExpirationDate: dateTime,
  },
  ['id', 'email', 'verified', 'name', 'roles', 'permissions', 'metadata', 'createdAt', 'activatedForTenant'],
);

/** IRole. */
const iRole = completeObject({ id: string, key: string, name: string, description: string, isDefault: boolean, level: number, createdAt: dateTime });

/** AssignUserToRolesResponseDto and DeleteUserToRolesResponseDto (the same shape). */
const userRolesResponse = completeObject({ tenantId: string, userId: string, roles: arrayOf(iRole) });

/** UserTenantDataDto[]. */
const userTenantsResponse = arrayOf(completeObject({ tenantId: string, name: string }));

/** Frontegg's error body. */
const errorResponse = closedObject({ errors: { type: 'array', minItems: 1, items: string } }, ['errors']);

export const fronteggResponseSchemas = {
  vendorAuthentication: vendorAuthenticationResponse,
  authentication: authenticationResponse,
  vendorConfig: vendorConfigResponse,
  role: roleResponse,
  roles: arrayOf(roleResponse),
  permissions: arrayOf(permissionResponse),
  user: userResponse,
  usersPage: usersPageResponse,
  userCreated: userCreatedResponse,
  userRoles: userRolesResponse,
  userTenants: userTenantsResponse,
  error: errorResponse,
};
