import { randomUUID } from 'node:crypto';
import type {
  FronteggAddRoleRequest,
  FronteggPermission,
  FronteggRole,
  FronteggUpdateRoleRequest,
} from '../identity/frontegg-api.types';
import { badRequest, notFound } from './errors';
import { ENVIRONMENT_WIDE, type PermissionRecord, type RoleRecord } from './model';
import { VENDOR_ID } from './seed';
import type { IdentityStore } from './state';

/**
 * The tenant a roles call is scoped to, from its optional `frontegg-tenant-id` header.
 * Listing: unscoped calls see environment-wide roles only; scoped calls also see that
 * tenant's. Changing a role by id: an unscoped (vendor-wide) call reaches any role, a
 * scoped call only the roles it would list.
 */
export type RoleScope = string | undefined;

function isVisibleIn(role: RoleRecord, scope: RoleScope): boolean {
  return role.tenantId === ENVIRONMENT_WIDE || role.tenantId === scope;
}

export function rolesInScope(store: IdentityStore, scope: RoleScope): RoleRecord[] {
  return store.listRoles().filter((role) => isVisibleIn(role, scope));
}

/** Another tenant's role answers 404, like a missing one: a scoped call must not learn it exists. */
export function findRoleInScope(store: IdentityStore, roleId: string, scope: RoleScope): RoleRecord {
  const role = store.findRole(roleId);
  if (!role || (scope !== undefined && !isVisibleIn(role, scope))) throw notFound('Role not found');
  return role;
}

/**
 * Role keys travel in user tokens, so a key must name one role wherever it is visible:
 * a tenant role may not reuse an environment-wide key or another key of its tenant, and an
 * environment-wide role (visible in every tenant) may not reuse any key. The official
 * document lists no conflict answer for these operations; like Frontegg's other refusals
 * of a well-formed body, the emulator answers 400.
 */
function assertKeyAvailable(store: IdentityStore, key: string, tenantId: string, exceptRoleId?: string): void {
  const clash = store
    .listRoles()
    .find(
      (role) =>
        role.id !== exceptRoleId &&
        role.key === key &&
        (tenantId === ENVIRONMENT_WIDE || role.tenantId === ENVIRONMENT_WIDE || role.tenantId === tenantId),
    );
  if (clash) throw badRequest(`Role with key '${key}' already exists`);
}

/** Creates every role or none. New roles have no permissions: the official route never assigns any. */
export function createRoles(
  store: IdentityStore,
  requests: FronteggAddRoleRequest[],
  scope: RoleScope,
  now: string,
): RoleRecord[] {
  const tenantId = scope ?? ENVIRONMENT_WIDE;
  const keys = requests.map((request) => request.key);
  const repeated = keys.find((key, index) => keys.indexOf(key) !== index);
  if (repeated !== undefined) throw badRequest(`Role key '${repeated}' appears more than once in the request`);
  keys.forEach((key) => assertKeyAvailable(store, key, tenantId));

  const created = requests.map(
    (request): RoleRecord => ({
      id: `role-${randomUUID()}`,
      vendorId: VENDOR_ID,
      tenantId,
      key: request.key,
      name: request.name,
      description: request.description ?? '',
      isDefault: request.isDefault ?? false,
      firstUserRole: request.firstUserRole ?? false,
      level: request.level,
      createdAt: now,
      updatedAt: now,
      permissions: [],
    }),
  );
  created.forEach((role) => store.addRole(role));
  return created;
}

export function updateRole(
  store: IdentityStore,
  role: RoleRecord,
  changes: FronteggUpdateRoleRequest,
  now: string,
): void {
  // migrateRole asks Frontegg to assign a default role to existing users; no seeded flow needs it.
  const { migrateRole: _migrateRole, ...fields } = changes;
  if (fields.key !== undefined && fields.key !== role.key) {
    assertKeyAvailable(store, fields.key, role.tenantId, role.id);
  }
  Object.assign(role, fields, { updatedAt: now });
}

/** Replaces the role's permission set; every id must exist in the catalogue. */
export function setRolePermissions(store: IdentityStore, role: RoleRecord, permissionIds: string[], now: string): void {
  const unknown = permissionIds.filter((id) => !store.findPermission(id));
  if (unknown.length > 0) throw badRequest(`Permissions not found: ${unknown.join(', ')}`);
  role.permissions = [...new Set(permissionIds)];
  role.updatedAt = now;
}

export function toRoleResponse(role: RoleRecord): FronteggRole<number> {
  return { ...role, permissions: [...role.permissions] };
}

export function toPermissionResponse(store: IdentityStore, permission: PermissionRecord): FronteggPermission {
  const roleIds = store
    .listRoles()
    .filter((role) => role.permissions.includes(permission.id))
    .map((role) => role.id);
  return { ...permission, roleIds };
}
