import { randomUUID } from 'node:crypto';
import { badRequest, FronteggError, notFound } from './errors';
import type { RoleRecord, UserRecord } from './model';
import { findRoleInScope, rolesInScope } from './roles';
import { DEV_PASSWORD } from './seed';
import type { IdentityStore } from './state';
import { findMembership, membershipIn, permissionsOfRoles, rolesInTenant, signInRefusal, toUserDto } from './users';

/**
 * The tenant members operations of identity.json: the users list (`GET /resources/users/v3`), the
 * invitation (`POST /resources/users/v2`), role assignment (`POST`/`DELETE
 * /resources/users/v1/{userId}/roles`), a user's tenants (`GET /resources/users/v2/me/tenants`) and
 * the active-tenant switch (`PUT /resources/users/v1/tenant`).
 */

export const USER_SORT_FIELDS = ['createdAt', 'name', 'email', 'id', 'verified', 'isLocked', 'provider', 'tenantId'] as const;
export type UserSortField = (typeof USER_SORT_FIELDS)[number];

/** The list's query as the document names it; `_offset` is a page number, not an item offset. */
export interface UserListQuery {
  limit: number;
  page: number;
  email?: string;
  namePrefix?: string;
  sortBy: UserSortField;
  order: 'ASC' | 'DESC';
}

/** "The default limit is 50 users per request, the maximum is 200." */
export const DEFAULT_USER_PAGE = 50;
export const MAX_USER_PAGE = 200;
const USERS_V3 = '/identity/resources/users/v3';

/** Reads the documented query parameters; a value of the wrong type is a 400 naming it, like Frontegg's validation. */
export function parseUserListQuery(query: Record<string, unknown>): UserListQuery {
  const text = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw badRequest(`${name} must be a string`);
    return value;
  };
  const whole = (name: string, min: number, max: number, fallback: number): number => {
    const value = text(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) throw badRequest(`${name} must be a number from ${min} to ${max}`);
    return parsed;
  };
  const sortBy = text('_sortBy') ?? 'createdAt';
  if (!(USER_SORT_FIELDS as readonly string[]).includes(sortBy)) throw badRequest(`_sortBy must be one of ${USER_SORT_FIELDS.join(', ')}`);
  const order = text('_order') ?? 'ASC';
  if (order !== 'ASC' && order !== 'DESC') throw badRequest('_order must be one of ASC, DESC');
  return {
    limit: whole('_limit', 1, MAX_USER_PAGE, DEFAULT_USER_PAGE),
    page: whole('_offset', 0, Number.MAX_SAFE_INTEGER, 0),
    email: text('_email'),
    namePrefix: text('_namePrefix'),
    sortBy: sortBy as UserSortField,
    order,
  };
}

/** UserV3Dto: UserDto without the top-level roles, permissions and groups (each membership lists its roles). */
export function toUserV3Dto(store: IdentityStore, user: UserRecord): Record<string, unknown> {
  const { roles: _roles, permissions: _permissions, groups: _groups, ...v3 } = toUserDto(store, user);
  return v3;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a.localeCompare(b);
  return Number(a) - Number(b);
}

/**
 * One page of users: the tenant's members when `tenantId` is given, else every user of the
 * environment. Like the vendor token it is called with, it sees every member, invisible ones too:
 * hiding them is the caller's business. `_email` matches the whole address, case-insensitively.
 */
export function listUsers(store: IdentityStore, tenantId: string | undefined, query: UserListQuery) {
  const email = query.email?.toLowerCase();
  const prefix = query.namePrefix?.toLowerCase();
  const matching = store
    .listUsers()
    .filter((user) => tenantId === undefined || membershipIn(user, tenantId) !== undefined)
    .filter((user) => email === undefined || user.email.toLowerCase() === email)
    .filter((user) => prefix === undefined || user.name.toLowerCase().startsWith(prefix))
    .map((user) => toUserV3Dto(store, user))
    .sort((a, b) => compare(a[query.sortBy], b[query.sortBy]) * (query.order === 'ASC' ? 1 : -1) || compare(a.id, b.id));
  const totalPages = Math.ceil(matching.length / query.limit);
  const link = (page: number) => `${USERS_V3}?_limit=${query.limit}&_offset=${page}`;
  return {
    items: matching.slice(query.page * query.limit, (query.page + 1) * query.limit),
    _links: {
      next: query.page + 1 < totalPages ? link(query.page + 1) : '',
      prev: query.page > 0 ? link(query.page - 1) : '',
      first: link(0),
      last: link(Math.max(totalPages - 1, 0)),
    },
    _metadata: { totalItems: matching.length, totalPages },
  };
}

/** CreateUserDto, as far as the emulator acts on it (the schema has checked the rest). */
export interface CreateUserRequest {
  email: string;
  name?: string;
  metadata: string;
  roleIds?: string[];
  skipInviteEmail?: boolean;
}

function tenantRequired(tenantId: string | undefined): string {
  if (tenantId === undefined) throw badRequest('frontegg-tenant-id header is required');
  return tenantId;
}

/** Roles a call scoped to the tenant may name: its own and environment-wide ones; another is not found. */
function rolesFor(store: IdentityStore, tenantId: string, roleIds: readonly string[]): RoleRecord[] {
  return [...new Set(roleIds)].map((roleId) => findRoleInScope(store, roleId, tenantId));
}

/**
 * Invites a user into the tenant: a new user, or a user of another tenant who gains a membership.
 * Without role ids the tenant's default roles are given. A member of the tenant already is a 409.
 */
export function inviteUser(store: IdentityStore, tenantId: string | undefined, request: CreateUserRequest, now: string) {
  const tenant = tenantRequired(tenantId);
  const roles = request.roleIds?.length ? rolesFor(store, tenant, request.roleIds) : rolesInScope(store, tenant).filter((role) => role.isDefault);
  const membership = { tenantId: tenant, roleIds: roles.map((role) => role.id) };
  let user = store.findUserByEmail(request.email);
  if (user && membershipIn(user, tenant)) throw new FronteggError(409, ['User already exists']);
  if (user) {
    user.tenants.push(membership);
  } else {
    const id = `user-${randomUUID()}`;
    user = {
      id,
      email: request.email,
      // Invited users would set a password from the invitation email; locally they sign in like the seed.
      password: DEV_PASSWORD,
      name: request.name ?? request.email.split('@')[0],
      profilePictureUrl: `https://avatars.emulator.test/${id}.png`,
      verified: false,
      mfaEnrolled: false,
      mfaBypass: false,
      superUser: false,
      isLocked: false,
      invisible: false,
      metadata: request.metadata,
      vendorMetadata: '{}',
      createdAt: now,
      // UserDto requires a sign-in time; a user who never signed in has the creation time.
      lastLogin: now,
      defaultTenantId: tenant,
      tenants: [membership],
    };
    store.addUser(user);
  }
  return toUserCreatedResponse(store, user, tenant);
}

/** UserCreatedResponse: roles as ids and permissions as keys, those of the tenant invited into. */
function toUserCreatedResponse(store: IdentityStore, user: UserRecord, tenantId: string) {
  const roles = rolesInTenant(store, user, tenantId);
  return {
    id: user.id,
    email: user.email,
    verified: user.verified,
    name: user.name,
    profilePictureUrl: user.profilePictureUrl ?? '',
    roles: roles.map((role) => role.id),
    permissions: permissionsOfRoles(store, roles).map((permission) => permission.key),
    metadata: user.metadata,
    createdAt: user.createdAt,
    lastLogin: user.lastLogin,
    activatedForTenant: true,
  };
}

/** IRole: the role fields the assignment answers carry. */
function toIRole(role: RoleRecord) {
  return { id: role.id, key: role.key, name: role.name, description: role.description, isDefault: role.isDefault, level: role.level, createdAt: role.createdAt };
}

/**
 * Assigns (`assign`) or unassigns roles of the user's membership in the tenant. Every id must be a
 * role the tenant sees (else 404, as for a missing role); answers the roles named, as IRole.
 */
export function changeUserRoles(store: IdentityStore, user: UserRecord, tenantId: string | undefined, roleIds: readonly string[], assign: boolean) {
  const tenant = tenantRequired(tenantId);
  const membership = findMembership(user, tenant);
  const roles = rolesFor(store, tenant, roleIds);
  const named = new Set(roles.map((role) => role.id));
  membership.roleIds = assign ? [...new Set([...membership.roleIds, ...named])] : membership.roleIds.filter((roleId) => !named.has(roleId));
  return { tenantId: tenant, userId: user.id, roles: roles.map(toIRole) };
}

/** UserTenantDataDto of each of the user's memberships. */
export function tenantsOfUser(store: IdentityStore, user: UserRecord) {
  return user.tenants.map(({ tenantId }) => ({ tenantId, name: store.tenantName(tenantId) }));
}

/**
 * Makes `tenantId` the user's active tenant (the UserDto's `tenantId`, where sign-ins and refreshes
 * land). A tenant the user may not enter: 404 when not a member, 403 when locked, disabled or expired.
 */
export function switchActiveTenant(user: UserRecord, tenantId: string): void {
  if (!membershipIn(user, tenantId)) throw notFound('User is not a member of the tenant');
  const refusal = signInRefusal(user, tenantId);
  if (refusal) throw new FronteggError(403, [refusal]);
  user.defaultTenantId = tenantId;
}

/** `frontegg-user-id` of the user routes: required, and a user the emulator knows. */
export function userIdHeader(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw badRequest('frontegg-user-id header is required');
  return value;
}
