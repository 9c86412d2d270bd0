import type { VendorEntitlementsData } from '../identity/frontegg-api.types';
import { ENVIRONMENT_WIDE, type IdentityData, type PermissionRecord, type RoleRecord, type UserRecord } from './model';

/** Every seeded user signs in with this password. */
export const DEV_PASSWORD = 'frontegg-dev-password';
export const VENDOR_ID = 'emulator-vendor';

export const TENANT_ACME = 'tenant-acme';
export const TENANT_GLOBEX = 'tenant-globex';

export const CATEGORY_FE_SECURE = 'cat-fe-secure';
export const CATEGORY_APP = 'cat-app';

export const PERM_READ_ROLES = 'perm-read-roles';
export const PERM_WRITE_ROLES = 'perm-write-roles';
export const PERM_DELETE_ROLES = 'perm-delete-roles';
export const PERM_READ_USERS = 'perm-read-users';
export const PERM_WRITE_USERS = 'perm-write-users';
export const PERM_DELETE_USERS = 'perm-delete-users';
export const PERM_REPORTS_READ = 'perm-reports-read';
export const PERM_REPORTS_WRITE = 'perm-reports-write';

export const ROLE_ADMIN = 'role-admin';
export const ROLE_MEMBER = 'role-member';
export const ROLE_ACME_AUDITOR = 'role-acme-auditor';
export const ROLE_GLOBEX_SUPPORT = 'role-globex-support';
export const ROLE_ACME_HELPDESK = 'role-acme-helpdesk';

export const USER_ALICE = 'user-alice';
export const USER_BOB = 'user-bob';
export const USER_GRACE = 'user-grace';
export const USER_FRANK = 'user-frank';
export const USER_CAROL = 'user-carol';
export const USER_DAVE = 'user-dave';
export const USER_ERIN = 'user-erin';
/** The vendor's own support account inside tenant-acme: invisible to the tenant's admins. */
export const USER_SUPPORT = 'user-support';
/** Locked: cannot sign in, and a token issued before the lock must stop working. */
export const USER_LOCKED = 'user-locked';
/** Its tenant-acme membership is disabled. */
export const USER_DISABLED = 'user-disabled';
/** A temporary tenant-acme member whose membership expired (TEMPORARY_MEMBERSHIP_EXPIRED_AT). */
export const USER_EXPIRED = 'user-expired';
/** A weak admin of tenant-acme: writes users through acme-helpdesk (level 40), below Admin's 10. */
export const USER_HENRY = 'user-henry';

/**
 * Plain tenant-acme members (Member role) that exist so that the members list has more than one
 * page at its default size: `user-acme-member-01` to `-24`. They sign in like everyone else but
 * are left out of the sign-in details printed at start.
 */
export const PAGING_MEMBER_PREFIX = 'user-acme-member-';
export const PAGING_MEMBER_COUNT = 24;

/** When user-expired's temporary membership of tenant-acme ended: fixed, and in the past. */
export const TEMPORARY_MEMBERSHIP_EXPIRED_AT = '2024-03-01T00:00:00.000Z';

/** What a person needs to sign in as a seeded user. */
export interface SeedUserSignIn {
  id: string;
  email: string;
  password: string;
  name: string;
  tenantIds: string[];
  /** Role keys per tenant, in tenant order: `tenant-acme: Admin; tenant-globex: Member`. */
  roles: string;
}

const SEEDED_AT = '2024-01-15T09:00:00.000Z';

/** Frontegg's own permissions (`fe.*`) sit in its security category; the app's in the app's. */
function permission(id: string, key: string, name: string, description: string): PermissionRecord {
  const fePermission = key.startsWith('fe.');
  return {
    id,
    key,
    name,
    description,
    categoryId: fePermission ? CATEGORY_FE_SECURE : CATEGORY_APP,
    fePermission,
    createdAt: SEEDED_AT,
    updatedAt: SEEDED_AT,
  };
}

type SeedRole = Pick<RoleRecord, 'id' | 'key' | 'name' | 'description' | 'tenantId' | 'level' | 'permissions'> &
  Partial<Pick<RoleRecord, 'isDefault'>>;

function role(facts: SeedRole): RoleRecord {
  return {
    vendorId: VENDOR_ID,
    isDefault: false,
    firstUserRole: false,
    createdAt: SEEDED_AT,
    updatedAt: SEEDED_AT,
    ...facts,
  };
}

type SeedUserFacts = Pick<UserRecord, 'id' | 'email' | 'name' | 'phoneNumber' | 'createdAt' | 'lastLogin' | 'tenants'> &
  Partial<UserRecord>;

function user(facts: SeedUserFacts): UserRecord {
  return {
    password: DEV_PASSWORD,
    profilePictureUrl: `https://avatars.emulator.test/${facts.id}.png`,
    verified: true,
    mfaEnrolled: false,
    mfaBypass: false,
    superUser: false,
    isLocked: false,
    invisible: false,
    metadata: '{}',
    vendorMetadata: '{}',
    defaultTenantId: facts.tenants[0].tenantId,
    ...facts,
  };
}

/** A fresh, deterministic copy of the seed data: every call returns new objects, so a reset cannot share state. */
export function createSeedData(): IdentityData {
  const allPermissions = [
    PERM_READ_ROLES,
    PERM_WRITE_ROLES,
    PERM_DELETE_ROLES,
    PERM_READ_USERS,
    PERM_WRITE_USERS,
    PERM_DELETE_USERS,
    PERM_REPORTS_READ,
    PERM_REPORTS_WRITE,
  ];
  return {
    tenants: [
      { tenantId: TENANT_ACME, name: 'Acme' },
      { tenantId: TENANT_GLOBEX, name: 'Globex' },
    ],
    permissions: [
      permission(PERM_READ_ROLES, 'fe.secure.read.roles', 'Read roles', 'View roles and their permissions'),
      permission(PERM_WRITE_ROLES, 'fe.secure.write.roles', 'Write roles', 'Create and change roles'),
      permission(PERM_DELETE_ROLES, 'fe.secure.delete.roles', 'Delete roles', 'Delete roles'),
      permission(PERM_READ_USERS, 'fe.secure.read.users', 'Read users', 'View users of the account'),
      permission(PERM_WRITE_USERS, 'fe.secure.write.users', 'Write users', 'Change users of the account'),
      permission(PERM_DELETE_USERS, 'fe.secure.delete.users', 'Delete users', 'Remove users from the account'),
      permission(PERM_REPORTS_READ, 'app.reports.read', 'Read reports', 'View reports'),
      permission(PERM_REPORTS_WRITE, 'app.reports.write', 'Write reports', 'Create and change reports'),
    ],
    roles: [
      role({
        id: ROLE_ADMIN,
        key: 'Admin',
        name: 'Admin',
        description: 'Full access to the account',
        tenantId: ENVIRONMENT_WIDE,
        level: 10,
        permissions: allPermissions,
      }),
      role({
        id: ROLE_MEMBER,
        key: 'Member',
        name: 'Member',
        description: 'Default role of every user',
        tenantId: ENVIRONMENT_WIDE,
        level: 50,
        permissions: [PERM_READ_ROLES, PERM_REPORTS_READ],
        isDefault: true,
      }),
      role({
        id: ROLE_ACME_AUDITOR,
        key: 'acme-auditor',
        name: 'Acme auditor',
        description: 'Reads roles, users and reports of Acme',
        tenantId: TENANT_ACME,
        level: 30,
        permissions: [PERM_READ_ROLES, PERM_READ_USERS, PERM_REPORTS_READ],
      }),
      role({
        id: ROLE_GLOBEX_SUPPORT,
        key: 'globex-support',
        name: 'Globex support',
        description: 'Helps Globex users',
        tenantId: TENANT_GLOBEX,
        level: 20,
        permissions: [PERM_READ_ROLES, PERM_READ_USERS, PERM_WRITE_USERS],
      }),
      role({
        id: ROLE_ACME_HELPDESK,
        key: 'acme-helpdesk',
        name: 'Acme helpdesk',
        description: 'Reads and changes Acme users, below Admin',
        tenantId: TENANT_ACME,
        level: 40,
        permissions: [PERM_READ_ROLES, PERM_READ_USERS, PERM_WRITE_USERS],
      }),
    ],
    users: [
      user({
        id: USER_ALICE,
        email: 'alice@acme.test',
        name: 'Alice Admin',
        phoneNumber: '+15550100001',
        createdAt: '2024-02-01T10:00:00.000Z',
        lastLogin: '2024-06-01T08:00:00.000Z',
        tenants: [{ tenantId: TENANT_ACME, roleIds: [ROLE_ADMIN] }],
        mfaEnrolled: true,
        metadata: '{"theme":"dark"}',
        vendorMetadata: '{"plan":"internal"}',
        externalId: 'ext-alice-001',
      }),
      user({
        id: USER_BOB,
        email: 'bob@acme.test',
        name: 'Bob Reader',
        phoneNumber: '+15550100002',
        createdAt: '2024-02-02T10:00:00.000Z',
        lastLogin: '2024-06-02T08:00:00.000Z',
        tenants: [{ tenantId: TENANT_ACME, roleIds: [ROLE_MEMBER] }],
      }),
      user({
        id: USER_GRACE,
        email: 'grace@acme.test',
        name: 'Grace Auditor',
        phoneNumber: '+15550100003',
        createdAt: '2024-02-03T10:00:00.000Z',
        lastLogin: '2024-06-03T08:00:00.000Z',
        tenants: [{ tenantId: TENANT_ACME, roleIds: [ROLE_ACME_AUDITOR] }],
        mfaEnrolled: true,
      }),
      user({
        id: USER_FRANK,
        email: 'frank@acme.test',
        name: 'Frank Super',
        phoneNumber: '+15550100004',
        createdAt: '2024-02-04T10:00:00.000Z',
        lastLogin: '2024-06-04T08:00:00.000Z',
        tenants: [{ tenantId: TENANT_ACME, roleIds: [ROLE_MEMBER] }],
        superUser: true,
        mfaEnrolled: true,
      }),
      user({
        id: USER_CAROL,
        email: 'carol@globex.test',
        name: 'Carol Admin',
        phoneNumber: '+15550100005',
        createdAt: '2024-02-05T10:00:00.000Z',
        lastLogin: '2024-06-05T08:00:00.000Z',
        tenants: [{ tenantId: TENANT_GLOBEX, roleIds: [ROLE_ADMIN] }],
        externalId: 'ext-carol-001',
      }),
      user({
        id: USER_DAVE,
        email: 'dave@globex.test',
        name: 'Dave Reader',
        phoneNumber: '+15550100006',
        createdAt: '2024-02-06T10:00:00.000Z',
        lastLogin: '2024-06-06T08:00:00.000Z',
        tenants: [{ tenantId: TENANT_GLOBEX, roleIds: [ROLE_MEMBER] }],
      }),
      user({
        id: USER_ERIN,
        email: 'erin@shared.test',
        name: 'Erin Both',
        phoneNumber: '+15550100007',
        createdAt: '2024-02-07T10:00:00.000Z',
        lastLogin: '2024-06-07T08:00:00.000Z',
        tenants: [
          { tenantId: TENANT_ACME, roleIds: [ROLE_MEMBER] },
          { tenantId: TENANT_GLOBEX, roleIds: [ROLE_GLOBEX_SUPPORT] },
        ],
        defaultTenantId: TENANT_ACME,
        mfaEnrolled: true,
      }),
      user({
        id: USER_SUPPORT,
        email: 'support@vendor.test',
        name: 'Vendor Support',
        phoneNumber: '+15550100008',
        createdAt: '2024-02-08T10:00:00.000Z',
        lastLogin: '2024-06-08T08:00:00.000Z',
        tenants: [{ tenantId: TENANT_ACME, roleIds: [ROLE_MEMBER] }],
        invisible: true,
        mfaEnrolled: true,
      }),
      user({
        id: USER_LOCKED,
        email: 'locked@acme.test',
        name: 'Lucy Locked',
        phoneNumber: '+15550100009',
        createdAt: '2024-02-09T10:00:00.000Z',
        lastLogin: '2024-06-09T08:00:00.000Z',
        tenants: [{ tenantId: TENANT_ACME, roleIds: [ROLE_ADMIN] }],
        isLocked: true,
      }),
      user({
        id: USER_DISABLED,
        email: 'disabled@acme.test',
        name: 'Dan Disabled',
        phoneNumber: '+15550100010',
        createdAt: '2024-02-10T10:00:00.000Z',
        lastLogin: '2024-06-10T08:00:00.000Z',
        tenants: [{ tenantId: TENANT_ACME, roleIds: [ROLE_ADMIN], isDisabled: true }],
      }),
      user({
        id: USER_EXPIRED,
        email: 'expired@acme.test',
        name: 'Eve Expired',
        phoneNumber: '+15550100011',
        createdAt: '2024-02-11T10:00:00.000Z',
        lastLogin: '2024-02-20T08:00:00.000Z',
        tenants: [
          { tenantId: TENANT_ACME, roleIds: [ROLE_ADMIN], temporaryExpirationDate: TEMPORARY_MEMBERSHIP_EXPIRED_AT },
        ],
      }),
      user({
        id: USER_HENRY,
        email: 'henry@acme.test',
        name: 'Henry Helpdesk',
        phoneNumber: '+15550100012',
        createdAt: '2024-02-12T10:00:00.000Z',
        lastLogin: '2024-06-12T08:00:00.000Z',
        tenants: [{ tenantId: TENANT_ACME, roleIds: [ROLE_MEMBER, ROLE_ACME_HELPDESK] }],
      }),
      ...pagingMembers(),
    ],
  };
}

function pagingMembers(): UserRecord[] {
  return Array.from({ length: PAGING_MEMBER_COUNT }, (_, index) => {
    const number = String(index + 1).padStart(2, '0');
    const day = String(index + 1).padStart(2, '0');
    return user({
      id: `${PAGING_MEMBER_PREFIX}${number}`,
      email: `member${number}@acme.test`,
      name: `Member ${number}`,
      createdAt: `2024-03-${day}T10:00:00.000Z`,
      lastLogin: `2024-06-${day}T08:00:00.000Z`,
      tenants: [{ tenantId: TENANT_ACME, roleIds: [ROLE_MEMBER] }],
    });
  });
}

/** Sign-in details of every seeded user, for banners and tests. */
export function seedUserSignIns(): SeedUserSignIn[] {
  const seed = createSeedData();
  const roleKey = new Map(seed.roles.map((seeded) => [seeded.id, seeded.key]));
  return seed.users
    .filter((seeded) => !seeded.id.startsWith(PAGING_MEMBER_PREFIX))
    .map((seeded) => ({
    id: seeded.id,
    email: seeded.email,
    password: seeded.password,
    name: seeded.name,
    tenantIds: seeded.tenants.map((membership) => membership.tenantId),
    roles: seeded.tenants.map(({ tenantId, roleIds }) => `${tenantId}: ${roleIds.map((id) => roleKey.get(id) ?? id).join(', ')}`).join('; '),
  }));
}

// Entitlements (CONTRACT §4.5, §7): plans ("feature bundles"), their features, grants and a feature flag.

export const PLAN_STARTER = 'plan-starter';
export const PLAN_BUSINESS = 'plan-business';
export const PLAN_AUDIT_ADDON = 'plan-audit-addon';

export const FEATURE_REPORTS = 'reports';
/** Linked to `fe.secure.write.roles`: a tenant without it cannot create or change roles. */
export const FEATURE_CUSTOM_ROLES = 'custom-roles';
export const FEATURE_SSO = 'sso';
export const FEATURE_AUDIT_EXPORT = 'audit-export';
/** Granted by no plan: a feature flag turns it on for `@globex.test` emails. */
export const FEATURE_BETA_DASHBOARD = 'beta-dashboard';

/** When tenant-globex's Business trial ended: fixed, and in the past. */
export const BUSINESS_TRIAL_ENDED_AT = '2024-03-01T00:00:00.000Z';

/**
 * The seeded snapshot: tenant-acme on Business, tenant-globex on Starter after its Business trial
 * expired, Grace alone (a user-level grant) with the audit add-on, and a flag with a rule. Grant
 * tuples come in the shapes the wire allows: shortened, and with nulls.
 */
export function createSeedEntitlements(): VendorEntitlementsData {
  return {
    features: [
      ['feat-reports', FEATURE_REPORTS, ['app.reports.read', 'app.reports.write']],
      ['feat-custom-roles', FEATURE_CUSTOM_ROLES, ['fe.secure.write.roles']],
      ['feat-sso', FEATURE_SSO, []],
      ['feat-audit-export', FEATURE_AUDIT_EXPORT, []],
      ['feat-beta-dashboard', FEATURE_BETA_DASHBOARD, []],
    ],
    featureBundles: [
      // Order matters to the SDK: for a feature in two plans granted to one tenant, the later plan's grant
      // decides (even an expired one). Starter comes after Business, so tenant-globex keeps reports.
      [PLAN_BUSINESS, ['feat-reports', 'feat-custom-roles', 'feat-sso'], 'false', []],
      [PLAN_STARTER, ['feat-reports'], 'false', []],
      [PLAN_AUDIT_ADDON, ['feat-audit-export'], 'false', []],
    ],
    entitlements: [
      [PLAN_BUSINESS, TENANT_ACME],
      [PLAN_STARTER, TENANT_GLOBEX, null, null],
      [PLAN_BUSINESS, TENANT_GLOBEX, null, BUSINESS_TRIAL_ENDED_AT],
      [PLAN_AUDIT_ADDON, TENANT_ACME, USER_GRACE],
    ],
    featureFlags: [
      [
        FEATURE_BETA_DASHBOARD,
        true,
        'boolean',
        'false',
        'false',
        [
          {
            description: 'Globex people try the new dashboard',
            conditionLogic: 'and',
            conditions: [{ attribute: 'frontegg.email', attributeType: 'frontegg', negate: false, op: 'ends_with', value: { list: ['@globex.test'] } }],
            treatment: 'true',
          },
        ],
      ],
    ],
  };
}
