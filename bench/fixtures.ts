/**
 * The benchmark's world, generated deterministically so that every process (the stand-in, the
 * ceiling server, the orchestrator) derives the same tenants, users, roles and users' bodies
 * without passing them around. Shapes follow Frontegg's official schemas (RoleResponse,
 * PermissionResponse, UserDto), through the gateway's own wire types.
 */
import type { FronteggPermission, FronteggRole, FronteggUser } from '../src/identity/frontegg-api.types';

export const TENANTS = ['tenant-acme', 'tenant-globex', 'tenant-initech', 'tenant-umbrella'] as const;
export const USER_COUNT = 1000;
export const CLIENT_ID = 'bench-client-id';
export const API_KEY = 'bench-api-key-0123456789abcdef';
export const READ_ROLES = 'fe.secure.read.roles';

const VENDOR_ID = 'vendor-bench';
const CREATED = '2024-01-15T09:30:00.000Z';
const UPDATED = '2024-06-01T12:00:00.000Z';

const PERMISSION_KEYS = [
  READ_ROLES,
  'fe.secure.write.roles',
  'fe.secure.delete.roles',
  'fe.secure.read.users',
  'fe.secure.write.users',
  'app.invoices.read',
  'app.invoices.write',
  'app.reports.read',
];

export const PERMISSIONS: FronteggPermission[] = PERMISSION_KEYS.map((key, index) => ({
  id: `perm-${String(index + 1).padStart(2, '0')}`,
  key,
  name: key.split('.').slice(-2).join(' '),
  description: `Allows ${key}`,
  createdAt: CREATED,
  updatedAt: UPDATED,
  roleIds: [],
  categoryId: key.startsWith('fe.') ? 'cat-frontegg' : 'cat-app',
  fePermission: key.startsWith('fe.'),
}));

const permissionIds = (...keys: string[]) => PERMISSIONS.filter((p) => keys.includes(p.key)).map((p) => p.id);

function role(id: string, tenantId: string, key: string, level: number, permissions: string[], isDefault = false): FronteggRole<number> {
  return {
    id,
    vendorId: VENDOR_ID,
    tenantId,
    key,
    name: key.replace(/^tenant-/, ''),
    description: `${key} role`,
    isDefault,
    firstUserRole: false,
    level,
    createdAt: CREATED,
    updatedAt: UPDATED,
    permissions,
  };
}

/**
 * The upstream's roles answer, the same for every caller: environment-wide roles (`tenantId` ""),
 * three roles of each tenant. Every caller therefore also receives other tenants' roles, which
 * the gateway must filter out.
 */
export const ALL_ROLES: FronteggRole<number>[] = [
  role('role-admin', '', 'Admin', 10, permissionIds(...PERMISSION_KEYS)),
  role('role-member', '', 'Member', 50, permissionIds(READ_ROLES, 'app.invoices.read'), true),
  ...TENANTS.flatMap((tenant) => [
    role(`role-${tenant}-owner`, tenant, `${tenant}-owner`, 5, permissionIds(...PERMISSION_KEYS)),
    role(`role-${tenant}-auditor`, tenant, `${tenant}-auditor`, 30, permissionIds(READ_ROLES, 'fe.secure.read.users', 'app.reports.read')),
    role(`role-${tenant}-billing`, tenant, `${tenant}-billing`, 40, permissionIds('app.invoices.read', 'app.invoices.write')),
  ]),
];

/** What `GET /v1/roles` answers a caller of `tenantId` (CONTRACT §4.1 `Role`). */
export function expectedRolesAnswer(tenantId: string): object[] {
  return ALL_ROLES.filter((r) => r.tenantId === '' || r.tenantId === tenantId).map((r) => ({
    id: r.id,
    key: r.key,
    name: r.name,
    description: r.description,
    isDefault: r.isDefault,
    level: r.level,
    permissions: r.permissions,
    environmentWide: r.tenantId === '',
  }));
}

export interface BenchUser {
  id: string;
  email: string;
  name: string;
  tenantId: string;
  tenantIds: string[];
  roleKeys: string[];
}

/** 1000 users over the tenants; every fifth also belongs to the next tenant. */
export const USERS: BenchUser[] = Array.from({ length: USER_COUNT }, (_, index) => {
  const tenantId = TENANTS[index % TENANTS.length];
  const other = TENANTS[(index + 1) % TENANTS.length];
  const id = `user-${String(index).padStart(4, '0')}`;
  return {
    id,
    email: `${id}@${tenantId.slice('tenant-'.length)}.test`,
    name: `Bench User ${index}`,
    tenantId,
    tenantIds: index % 5 === 0 ? [tenantId, other] : [tenantId],
    roleKeys: index % 3 === 0 ? ['Admin'] : ['Member', `${tenantId}-auditor`],
  };
});

const USERS_BY_ID = new Map(USERS.map((user) => [user.id, user]));

export function userById(id: string): BenchUser | undefined {
  return USERS_BY_ID.get(id);
}

/** UserDto of a user as the upstream answers the vendor-only read and the update. */
export function userDto(user: BenchUser): FronteggUser<number> {
  const rolesIn = (tenantId: string) => ALL_ROLES.filter((r) => user.roleKeys.includes(r.key) && (r.tenantId === '' || r.tenantId === tenantId));
  const roles = rolesIn(user.tenantId);
  const granted = new Set(roles.flatMap((r) => r.permissions));
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    profilePictureUrl: 'https://www.gravatar.com/avatar/00000000000000000000000000000000?d=mp',
    sub: user.id,
    verified: true,
    mfaEnrolled: false,
    mfaBypass: false,
    phoneNumber: '+14155550100',
    roles,
    permissions: PERMISSIONS.filter((p) => granted.has(p.id)),
    provider: 'local',
    tenantId: user.tenantId,
    tenantIds: user.tenantIds,
    activatedForTenant: true,
    isLocked: false,
    tenants: user.tenantIds.map((tenantId) => ({ tenantId, roles: rolesIn(tenantId) })),
    invisible: false,
    superUser: false,
    metadata: JSON.stringify({ theme: 'dark', locale: 'en-GB' }),
    vendorMetadata: JSON.stringify({ plan: 'enterprise', crmId: `crm-${user.id}` }),
    externalId: `ext-${user.id}`,
    createdAt: CREATED,
    lastLogin: UPDATED,
    groups: [],
    subAccountAccessAllowed: false,
    managedBy: 'frontegg',
  };
}

/** The page size of the members-list scenarios (H, I): the gateway's default. */
export const MEMBERS_PAGE = 20;

/**
 * `GET /identity/resources/users/v3` for `tenantId`, first page of MEMBERS_PAGE: UserV3Dto items
 * (UserDto without top-level roles, permissions and groups) in the pagination wrapper.
 */
export function membersPage(tenantId: string): object {
  const members = USERS.filter((user) => user.tenantIds.includes(tenantId));
  const items = members.slice(0, MEMBERS_PAGE).map((user) => {
    const { roles: _roles, permissions: _permissions, groups: _groups, ...v3 } = userDto(user);
    return v3;
  });
  const link = (page: number) => `/identity/resources/users/v3?_limit=${MEMBERS_PAGE}&_offset=${page}`;
  const totalPages = Math.ceil(members.length / MEMBERS_PAGE);
  return { items, _links: { next: link(1), prev: '', first: link(0), last: link(totalPages - 1) }, _metadata: { totalItems: members.length, totalPages } };
}

/** A UUID-shaped id derived from a label and a number (Frontegg's ids are UUIDs): realistic bytes, no randomness. */
function uuidLike(label: number, index: number): string {
  const hex = (index * 2654435761 + label * 40503).toString(16).padStart(12, '0').slice(-12);
  return `${label.toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}

/** The feature whose link `fe.secure.read.roles` is, so that scenario B's permission check takes the whole decision path. */
export const BENCH_ROLES_FEATURE = 'roles-admin';

/**
 * An entitlements snapshot (`GET /entitlements/api/v1/vendor-entitlements`) of `tuples` tuples in
 * all: 50 features over 10 plans, the bench tenants on the plan holding roles-admin (linked to
 * fe.secure.read.roles), and the rest grants to other tenants and users, a third with an expiry.
 */
export function entitlementsSnapshot(tuples: number): object {
  const features = Array.from({ length: 50 }, (_, index) => [uuidLike(1, index), index === 0 ? BENCH_ROLES_FEATURE : `feature-${index}`, index === 0 ? [READ_ROLES, 'fe.secure.write.roles'] : [`app.feature${index}.use`]]);
  const plans = Array.from({ length: 10 }, (_, index) => [uuidLike(2, index), features.filter((_, feature) => feature % 10 === index || feature < 5).map(([id]) => id), 'false', []]);
  const grants: unknown[] = TENANTS.map((tenant) => [plans[0][0], tenant]);
  for (let index = 0; grants.length + features.length + plans.length < tuples; index++) {
    const plan = plans[index % plans.length][0];
    const expiry = index % 3 === 0 ? new Date(Date.UTC(2030, 0, 1) + index * 1000).toISOString() : null;
    grants.push(index % 2 === 0 ? [plan, uuidLike(3, index), null, expiry] : [plan, uuidLike(3, index >> 3), uuidLike(4, index), expiry]);
  }
  return { data: { features, featureBundles: plans, entitlements: grants, featureFlags: [] }, snapshotOffset: 1 };
}
