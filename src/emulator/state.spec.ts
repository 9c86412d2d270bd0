import { createSeedData, ROLE_ADMIN, ROLE_MEMBER, USER_ALICE, USER_ERIN } from './seed';
import { IdentityStore } from './state';

describe('IdentityStore', () => {
  it('starts with the seed data', () => {
    const store = new IdentityStore();
    const seed = createSeedData();
    expect(store.listPermissions()).toEqual(seed.permissions);
    expect(store.listRoles()).toEqual(seed.roles);
    expect(store.findUser(USER_ALICE)).toEqual(seed.users[0]);
  });

  it('deleting a role takes it from every user in every tenant', () => {
    const store = new IdentityStore();
    store.deleteRole(ROLE_MEMBER);
    expect(store.findRole(ROLE_MEMBER)).toBeUndefined();
    expect(store.findUser(USER_ERIN)?.tenants).toEqual([
      { tenantId: 'tenant-acme', roleIds: [] },
      { tenantId: 'tenant-globex', roleIds: ['role-globex-support'] },
    ]);
  });

  it('reset restores the seed after changes, with records not shared with the previous run', () => {
    const store = new IdentityStore();
    const alice = store.findUser(USER_ALICE)!;
    alice.name = 'Changed';
    store.deleteRole(ROLE_ADMIN);

    store.reset();

    expect(store.findUser(USER_ALICE)?.name).toBe('Alice Admin');
    expect(store.findUser(USER_ALICE)?.tenants[0].roleIds).toEqual([ROLE_ADMIN]);
    expect(store.findRole(ROLE_ADMIN)).toBeDefined();
    expect(store.findUser(USER_ALICE)).not.toBe(alice);
  });

  it('deletes a user', () => {
    const store = new IdentityStore();
    store.deleteUser(USER_ALICE);
    expect(store.findUser(USER_ALICE)).toBeUndefined();
    expect(store.findUserByEmail('alice@acme.test')).toBeUndefined();
  });

  it('finds a user by email whatever its case', () => {
    expect(new IdentityStore().findUserByEmail('Alice@ACME.test')?.id).toBe(USER_ALICE);
  });
});
