import type { FronteggRole } from '../identity/frontegg-api.types';
import { CreateRoleDto } from '../roles/dto/create-role.dto';
import { SetRolePermissionsDto } from '../roles/dto/set-role-permissions.dto';
import { UpdateRoleDto } from '../roles/dto/update-role.dto';
import { strongestLevel } from './grants';
import { callerLevel, definePolicy, type PolicyRule, type PolicyTarget } from './policy';
import { assertGrantable, assertKeyAvailable, assertLevelsWithinReach } from './rules/level-rules';
import { assertNotProtected, assertRecentSignIn, assertSingleTenant } from './rules/member-rules';
import { ROLE_NOT_FOUND, USER_NOT_FOUND } from './rules/tenant-rules';
import type { OwnedRole, TenantMember } from './tenant-directory.service';

/**
 * Every route's policy, in one file: what it does to what, and each rule that decides it
 * (CONTRACT §3, §4.2). A controller method names one of these with `@Authorize(...)`; the policy
 * guard evaluates it before the handler runs and hands the handler the target it loaded.
 */

// Targets: loaded through the tenant-scoped accessor, so they are the caller's tenant's or a 404.

const tenantRoles: PolicyTarget<readonly FronteggRole[]> = {
  description: "the caller's tenant roles and the environment-wide roles",
  load: ({ directory, principal, trace }) => directory.visibleRoles(principal.tenantId, trace),
};

const ownedRole: PolicyTarget<OwnedRole> = {
  description: "a role of the caller's tenant (path parameter roleId)",
  notFound: ROLE_NOT_FOUND,
  // Environment-wide roles are visible to every tenant but no tenant's to change.
  refusals: ['environment-role'],
  load: ({ directory, principal, params, trace }) => directory.ownedRole(principal.tenantId, params.roleId ?? '', trace),
};

const tenantMember: PolicyTarget<TenantMember> = {
  description: "a visible member of the caller's tenant (path parameter userId)",
  notFound: USER_NOT_FOUND,
  load: ({ directory, principal, params, trace }) => directory.member(principal.tenantId, params.userId ?? '', trace),
};

// Rules.

const roleWithinReach: PolicyRule<OwnedRole> = {
  name: 'role-level-within-reach',
  refusals: ['role-level'],
  check: ({ role }, context) => assertLevelsWithinReach(callerLevel(context), role.level),
};

const newLevelWithinReach: PolicyRule<unknown, { level?: number }> = {
  name: 'new-level-within-reach',
  refusals: ['role-level'],
  check: (_target, context) => assertLevelsWithinReach(callerLevel(context), context.body.level),
};

const newKeyUnique: PolicyRule<readonly FronteggRole[], CreateRoleDto> = {
  name: 'role-key-unique',
  refusals: ['key-conflict'],
  check: (visibleRoles, { body }) => assertKeyAvailable(visibleRoles, body.key),
};

const changedKeyUnique: PolicyRule<OwnedRole, UpdateRoleDto> = {
  name: 'role-key-unique',
  refusals: ['key-conflict'],
  check: ({ role, visibleRoles }, { body }) => assertKeyAvailable(visibleRoles, body.key, role.id),
};

const noEscalation: PolicyRule<OwnedRole, SetRolePermissionsDto> = {
  name: 'no-permission-escalation',
  refusals: ['unknown-permission', 'permission-escalation'],
  check: async (_role, { grants, catalogue, trace, body }) => assertGrantable(grants.permissions, await catalogue.list(trace), body.permissionIds),
};

/** Removing one's own security factor needs a recent sign-in, whichever route does it. */
const stepUpWhenSelf: PolicyRule<TenantMember> = {
  name: 'step-up-on-own-factors',
  refusals: ['step-up'],
  check: ({ user }, { principal, config }) => {
    if (user.id === principal.userId) assertRecentSignIn(principal.authTime, config.stepUpMaxAgeS);
  },
};

const memberOfThisTenantOnly: PolicyRule<TenantMember> = {
  name: 'member-of-this-tenant-only',
  refusals: ['multi-tenant-user'],
  check: ({ user }, { principal }) => assertSingleTenant(principal.tenantId, user),
};

const notSuperUser: PolicyRule<TenantMember> = {
  name: 'not-a-super-user',
  refusals: ['protected-user'],
  check: ({ user }) => assertNotProtected(user),
};

const memberWithinReach: PolicyRule<TenantMember> = {
  name: 'member-level-within-reach',
  refusals: ['role-level'],
  check: ({ membership }, context) => assertLevelsWithinReach(callerLevel(context), strongestLevel(membership.roles ?? [])),
};

// Policies.

export const Policies = {
  // Only with SESSIONS=on: the browser session itself, so the session cookie is the only credential it reads.
  ownSession: definePolicy({ name: 'session.read-own', credentials: 'session' }),

  readOwnProfile: definePolicy({ name: 'profile.read-own', tokenTypes: ['userToken'] }),
  // No rule reads this body: the global validation pipe checks it, and the write stays on the guard's fast path.
  updateOwnProfile: definePolicy({ name: 'profile.update-own', tokenTypes: ['userToken'] }),
  resetOwnMfa: definePolicy({ name: 'mfa.reset-own', tokenTypes: ['userToken'], recentSignIn: true }),
  // Any token type, no permission: what the caller's own plan includes (CONTRACT §4.5).
  readOwnEntitlements: definePolicy({ name: 'entitlements.read-own' }),

  listRoles: definePolicy({ name: 'roles.list', permission: 'fe.secure.read.roles' }),
  listPermissions: definePolicy({ name: 'permissions.list', permission: 'fe.secure.read.roles' }),
  createRole: definePolicy({
    name: 'role.create',
    permission: 'fe.secure.write.roles',
    callerRolesById: true,
    body: CreateRoleDto,
    target: tenantRoles,
    rules: [newLevelWithinReach, newKeyUnique],
  }),
  updateRole: definePolicy({
    name: 'role.update',
    permission: 'fe.secure.write.roles',
    callerRolesById: true,
    body: UpdateRoleDto,
    target: ownedRole,
    rules: [roleWithinReach, newLevelWithinReach, changedKeyUnique],
  }),
  deleteRole: definePolicy({
    name: 'role.delete',
    permission: 'fe.secure.delete.roles',
    callerRolesById: true,
    target: ownedRole,
    rules: [roleWithinReach],
  }),
  setRolePermissions: definePolicy({
    name: 'role.set-permissions',
    permission: 'fe.secure.write.roles',
    callerRolesById: true,
    body: SetRolePermissionsDto,
    target: ownedRole,
    rules: [roleWithinReach, noEscalation],
  }),

  readMember: definePolicy({ name: 'member.read', permission: 'fe.secure.read.users', target: tenantMember }),
  resetMemberMfa: definePolicy({
    name: 'member.reset-mfa',
    permission: 'fe.secure.write.users',
    callerRolesById: true,
    target: tenantMember,
    rules: [stepUpWhenSelf, memberOfThisTenantOnly, notSuperUser, memberWithinReach],
  }),
};
