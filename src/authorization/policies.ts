import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '../common/problems/problem.exception';
import type { FronteggRole, FronteggUser } from '../identity/frontegg-api.types';
import { SwitchTenantDto } from '../tenants/dto/my-tenant.dto';
import { CreateRoleDto } from '../roles/dto/create-role.dto';
import { SetRolePermissionsDto } from '../roles/dto/set-role-permissions.dto';
import { UpdateRoleDto } from '../roles/dto/update-role.dto';
import { InviteMemberDto } from '../users/dto/invite-member.dto';
import { SetMemberRolesDto } from '../users/dto/set-member-roles.dto';
import { roleLevelOf, targetLevelOf } from '../identity/role-level';
import { callerLevel, definePolicy, type PolicyRule, type PolicyTarget } from './policy';
import { assertGrantable, assertKeyAvailable, assertLevelsWithinReach, assertRolesGrantable } from './rules/level-rules';
import { assertActiveMembership, assertNotOwnAccount, assertNotProtected, assertOwnFactorsRemovable, assertSingleTenant } from './rules/member-rules';
import { ROLE_NOT_FOUND, rolesNamedIn, USER_NOT_FOUND } from './rules/tenant-rules';
import type { Invitation, MemberWithRoles, OwnedRole, TenantMember } from './tenant-directory.service';

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

const memberWithRoles: PolicyTarget<MemberWithRoles> = {
  description: "a visible member of the caller's tenant (path parameter userId), with the roles the tenant sees",
  notFound: USER_NOT_FOUND,
  load: ({ directory, principal, params, trace }) => directory.memberWithRoles(principal.tenantId, params.userId ?? '', trace),
};

const invitation: PolicyTarget<Invitation> = {
  description: "the invited email's membership of the caller's tenant, and the roles the tenant sees",
  load: ({ directory, principal, body, trace }) => directory.invitation(principal.tenantId, (body as InviteMemberDto).email, trace),
};

const callerItself: PolicyTarget<FronteggUser> = {
  description: "the caller's own user, with every membership",
  load: ({ directory, principal, trace }) => directory.self(principal.userId, trace),
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
  check: (_target, context) => assertLevelsWithinReach(callerLevel(context), context.body.level === undefined ? undefined : roleLevelOf(context.body.level)),
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

/** Removing one's own security factor needs the user's own recent sign-in, whichever route does it (as resetOwnMfa's policy says). */
const stepUpWhenSelf: PolicyRule<TenantMember> = {
  name: 'step-up-on-own-factors',
  refusals: ['token-type', 'step-up'],
  check: ({ user }, { principal, config }) => {
    if (user.id === principal.userId) assertOwnFactorsRemovable(principal, config.stepUpMaxAgeS);
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
  check: ({ membership }, context) => assertLevelsWithinReach(callerLevel(context), targetLevelOf(membership.roles ?? [])),
};

const notOwnAccount: PolicyRule<TenantMember> = {
  name: 'not-own-account',
  refusals: ['own-account'],
  check: ({ user }, { principal }) => assertNotOwnAccount(principal.userId, user),
};

/** What a member-roles body names: roles the tenant sees (its own or environment-wide), else a 400 naming them. */
const namedRolesKnown: PolicyRule<{ visibleRoles: readonly FronteggRole[] }, { roleIds?: string[] }> = {
  name: 'named-roles-known',
  refusals: ['unknown-role'],
  check: ({ visibleRoles }, { body }) => void rolesNamedIn(visibleRoles, body.roleIds ?? []),
};

/** The roles an invitation gives: each within the caller's reach, each granting only what the caller holds. */
const givenRolesWithinReach: PolicyRule<Invitation, InviteMemberDto> = {
  name: 'given-roles-within-reach',
  refusals: ['role-level'],
  check: ({ visibleRoles }, context) => assertLevelsWithinReach(callerLevel(context), ...rolesNamedIn(visibleRoles, context.body.roleIds ?? []).map((role) => role.level)),
};

const givenRolesGrantable: PolicyRule<Invitation, InviteMemberDto> = {
  name: 'given-roles-no-permission-escalation',
  refusals: ['permission-escalation'],
  check: async ({ visibleRoles }, { grants, catalogue, trace, body }) =>
    assertRolesGrantable(grants.permissions, await catalogue.list(trace), rolesNamedIn(visibleRoles, body.roleIds ?? [])),
};

const notAlreadyMember: PolicyRule<Invitation, InviteMemberDto> = {
  name: 'not-already-a-member',
  refusals: ['member-conflict'],
  check: ({ alreadyMember }, { body }) => {
    if (alreadyMember) throw new ProblemException(HttpStatus.CONFLICT, `${body.email} is already a member of your tenant`);
  },
};

/** Every role added or removed is within the caller's reach (a removal takes away as much as an addition gives). */
const changedRolesWithinReach: PolicyRule<MemberWithRoles, SetMemberRolesDto> = {
  name: 'changed-roles-within-reach',
  refusals: ['role-level'],
  check: (target, context) => {
    const { added, removed } = roleChangeOf(target, context.body);
    assertLevelsWithinReach(callerLevel(context), ...[...added, ...removed].map((role) => role.level));
  },
};

const addedRolesGrantable: PolicyRule<MemberWithRoles, SetMemberRolesDto> = {
  name: 'added-roles-no-permission-escalation',
  refusals: ['permission-escalation'],
  check: async (target, { grants, catalogue, trace, body }) =>
    assertRolesGrantable(grants.permissions, await catalogue.list(trace), roleChangeOf(target, body).added),
};

const activeMemberOfNewTenant: PolicyRule<FronteggUser, SwitchTenantDto> = {
  name: 'active-member-of-the-tenant',
  refusals: ['not-a-member'],
  check: (user, { body }) => assertActiveMembership(user, body.tenantId),
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

  listOwnTenants: definePolicy({ name: 'tenants.list-own', tokenTypes: ['userToken'] }),
  switchOwnTenant: definePolicy({
    name: 'tenant.switch-own',
    tokenTypes: ['userToken'],
    body: SwitchTenantDto,
    target: callerItself,
    rules: [activeMemberOfNewTenant],
  }),

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

  listMembers: definePolicy({ name: 'members.list', permission: 'fe.secure.read.users' }),
  inviteMember: definePolicy<Invitation, InviteMemberDto>({
    name: 'member.invite',
    permission: 'fe.secure.write.users',
    callerRolesById: true,
    body: InviteMemberDto,
    target: invitation,
    rules: [namedRolesKnown, givenRolesWithinReach, givenRolesGrantable, notAlreadyMember],
  }),
  removeMember: definePolicy({
    name: 'member.remove',
    permission: 'fe.secure.delete.users',
    callerRolesById: true,
    target: tenantMember,
    rules: [notOwnAccount, notSuperUser, memberWithinReach],
  }),
  setMemberRoles: definePolicy<MemberWithRoles, SetMemberRolesDto>({
    name: 'member.set-roles',
    permission: 'fe.secure.write.users',
    callerRolesById: true,
    body: SetMemberRolesDto,
    target: memberWithRoles,
    rules: [notOwnAccount, notSuperUser, memberWithinReach, namedRolesKnown, changedRolesWithinReach, addedRolesGrantable],
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

/** The roles a role change adds and removes, compared by id with the member's roles in the tenant. */
export function roleChangeOf({ membership, visibleRoles }: MemberWithRoles, { roleIds }: SetMemberRolesDto): { added: FronteggRole[]; removed: FronteggRole[] } {
  const current = membership.roles ?? [];
  const held = new Set(current.map((role) => role.id));
  const wanted = new Set(roleIds);
  return {
    added: rolesNamedIn(visibleRoles, roleIds).filter((role) => !held.has(role.id)),
    removed: current.filter((role) => !wanted.has(role.id)),
  };
}
