import { ENVIRONMENT_WIDE } from './model';
import {
  createSeedData,
  PAGING_MEMBER_COUNT,
  PAGING_MEMBER_PREFIX,
  PERM_READ_ROLES,
  PERM_READ_USERS,
  PERM_WRITE_USERS,
  ROLE_ACME_HELPDESK,
  ROLE_ADMIN,
  ROLE_MEMBER,
  seedUserSignIns,
  TEMPORARY_MEMBERSHIP_EXPIRED_AT,
  TENANT_ACME,
  USER_DISABLED,
  USER_EXPIRED,
  USER_HENRY,
  USER_LOCKED,
  USER_SUPPORT,
} from './seed';
import { IdentityStore } from './state';
import { permissionsOfRoles, rolesInTenant } from './users';

describe('seed data', () => {
  const seed = createSeedData();
  const seededUser = (id: string) => seed.users.find((user) => user.id === id)!;

  it('has unique ids and emails', () => {
    const ids = [...seed.users, ...seed.roles, ...seed.permissions].map((record) => record.id);
    expect(new Set(ids).size).toBe(ids.length);
    const emails = seed.users.map((user) => user.email);
    expect(new Set(emails).size).toBe(emails.length);
  });

  it('is neither locked nor invisible unless said so', () => {
    const flagged = seed.users.filter((user) => user.isLocked || user.invisible).map((user) => user.id);
    expect(flagged).toEqual([USER_SUPPORT, USER_LOCKED]);
  });

  it('seeds the vendor support account as an invisible tenant-acme member with MFA', () => {
    expect(seededUser(USER_SUPPORT)).toMatchObject({
      email: 'support@vendor.test',
      invisible: true,
      isLocked: false,
      mfaEnrolled: true,
      tenants: [{ tenantId: TENANT_ACME, roleIds: [ROLE_MEMBER] }],
    });
  });

  it('seeds a locked admin, a disabled admin membership and an expired temporary admin membership', () => {
    expect(seededUser(USER_LOCKED)).toMatchObject({
      email: 'locked@acme.test',
      isLocked: true,
      tenants: [{ tenantId: TENANT_ACME, roleIds: [ROLE_ADMIN] }],
    });
    expect(seededUser(USER_DISABLED)).toMatchObject({
      email: 'disabled@acme.test',
      isLocked: false,
      tenants: [{ tenantId: TENANT_ACME, roleIds: [ROLE_ADMIN], isDisabled: true }],
    });
    expect(seededUser(USER_EXPIRED)).toMatchObject({
      email: 'expired@acme.test',
      tenants: [
        { tenantId: TENANT_ACME, roleIds: [ROLE_ADMIN], temporaryExpirationDate: TEMPORARY_MEMBERSHIP_EXPIRED_AT },
      ],
    });
    expect(Date.parse(TEMPORARY_MEMBERSHIP_EXPIRED_AT)).toBeLessThan(Date.now());
  });

  it('gives Henry user read and write through acme-helpdesk, a tenant-acme role of level 40', () => {
    expect(seed.roles.find((role) => role.id === ROLE_ACME_HELPDESK)).toMatchObject({
      key: 'acme-helpdesk',
      tenantId: TENANT_ACME,
      level: 40,
      permissions: [PERM_READ_ROLES, PERM_READ_USERS, PERM_WRITE_USERS],
    });
    expect(seed.roles.find((role) => role.id === ROLE_ADMIN)?.tenantId).toBe(ENVIRONMENT_WIDE);

    const store = new IdentityStore();
    const henry = store.findUser(USER_HENRY)!;
    expect(henry).toMatchObject({ email: 'henry@acme.test', name: 'Henry Helpdesk' });
    const roles = rolesInTenant(store, henry, TENANT_ACME);
    expect(Math.min(...roles.map((role) => role.level))).toBe(40);
    expect(permissionsOfRoles(store, roles).map((permission) => permission.key)).toEqual(
      expect.arrayContaining(['fe.secure.read.users', 'fe.secure.write.users']),
    );
  });

  it('lists a sign-in for every seeded user but the members that are there for paging', () => {
    const named = seed.users.filter((user) => !user.id.startsWith(PAGING_MEMBER_PREFIX));
    expect(seedUserSignIns().map((signIn) => signIn.id)).toEqual(named.map((user) => user.id));
    expect(seed.users.length - named.length).toBe(PAGING_MEMBER_COUNT);
  });
});
