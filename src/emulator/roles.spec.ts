import { FronteggError } from './errors';
import { createRoles, findRoleInScope, rolesInScope, setRolePermissions, toPermissionResponse, updateRole } from './roles';
import {
  PERM_READ_ROLES,
  PERM_REPORTS_READ,
  ROLE_ACME_AUDITOR,
  ROLE_ACME_HELPDESK,
  ROLE_ADMIN,
  ROLE_GLOBEX_SUPPORT,
  ROLE_MEMBER,
  TENANT_ACME,
  TENANT_GLOBEX,
} from './seed';
import { IdentityStore } from './state';

const NOW = '2025-01-01T00:00:00.000Z';
const ids = (roles: { id: string }[]) => roles.map((role) => role.id);

describe('role scope', () => {
  const store = new IdentityStore();

  it('shows environment-wide roles only to an unscoped call', () => {
    expect(ids(rolesInScope(store, undefined))).toEqual([ROLE_ADMIN, ROLE_MEMBER]);
  });

  it('adds the tenant roles of the scope, never another tenant', () => {
    expect(ids(rolesInScope(store, TENANT_ACME))).toEqual([
      ROLE_ADMIN,
      ROLE_MEMBER,
      ROLE_ACME_AUDITOR,
      ROLE_ACME_HELPDESK,
    ]);
    expect(ids(rolesInScope(store, TENANT_GLOBEX))).toEqual([ROLE_ADMIN, ROLE_MEMBER, ROLE_GLOBEX_SUPPORT]);
  });

  it('finds, in a scoped call, the roles it lists; another tenant role is 404, as a missing one', () => {
    expect(findRoleInScope(store, ROLE_ACME_AUDITOR, TENANT_ACME).id).toBe(ROLE_ACME_AUDITOR);
    expect(findRoleInScope(store, ROLE_ADMIN, TENANT_ACME).id).toBe(ROLE_ADMIN);
    expect(() => findRoleInScope(store, ROLE_ACME_AUDITOR, TENANT_GLOBEX)).toThrow(
      expect.objectContaining({ statusCode: 404 }),
    );
    expect(() => findRoleInScope(store, 'role-missing', undefined)).toThrow(expect.objectContaining({ statusCode: 404 }));
  });

  it('finds any role in an unscoped (vendor-wide) call', () => {
    expect(findRoleInScope(store, ROLE_GLOBEX_SUPPORT, undefined).id).toBe(ROLE_GLOBEX_SUPPORT);
  });
});

describe('createRoles', () => {
  it('creates tenant roles without permissions, with defaults for optional fields', () => {
    const store = new IdentityStore();
    const [created] = createRoles(store, [{ key: 'reporter', name: 'Reporter', level: 40 }], TENANT_ACME, NOW);
    expect(created).toMatchObject({
      tenantId: TENANT_ACME,
      key: 'reporter',
      description: '',
      isDefault: false,
      firstUserRole: false,
      permissions: [],
      createdAt: NOW,
      updatedAt: NOW,
    });
    expect(store.findRole(created.id)).toBe(created);
  });

  it('creates an environment-wide role when unscoped', () => {
    const [created] = createRoles(new IdentityStore(), [{ key: 'viewer', name: 'Viewer', level: 60 }], undefined, NOW);
    expect(created.tenantId).toBe('');
  });

  it('refuses a key already visible in the scope, and creates nothing of the batch', () => {
    const store = new IdentityStore();
    const before = store.listRoles().length;
    expect(() =>
      createRoles(
        store,
        [
          { key: 'fresh', name: 'Fresh', level: 40 },
          { key: 'Admin', name: 'Admin again', level: 40 },
        ],
        TENANT_ACME,
        NOW,
      ),
    ).toThrow("Role with key 'Admin' already exists");
    expect(store.listRoles()).toHaveLength(before);
  });

  it('lets two tenants use the same tenant key, but not an environment-wide role', () => {
    const store = new IdentityStore();
    expect(createRoles(store, [{ key: 'acme-auditor', name: 'Auditor', level: 30 }], TENANT_GLOBEX, NOW)).toHaveLength(1);
    expect(() => createRoles(store, [{ key: 'acme-auditor', name: 'Auditor', level: 30 }], undefined, NOW)).toThrow(
      FronteggError,
    );
  });

  it('refuses the same key twice in one request', () => {
    const role = { key: 'a', name: 'A', level: 1 };
    expect(() => createRoles(new IdentityStore(), [role, role], TENANT_ACME, NOW)).toThrow(
      "Role key 'a' appears more than once in the request",
    );
  });
});

describe('updateRole and setRolePermissions', () => {
  it('changes only the fields sent, and refuses a key taken in the scope', () => {
    const store = new IdentityStore();
    const auditor = store.findRole(ROLE_ACME_AUDITOR)!;
    updateRole(store, auditor, { name: 'Auditor', level: 35, migrateRole: true }, NOW);
    expect(auditor).toMatchObject({ name: 'Auditor', level: 35, key: 'acme-auditor', updatedAt: NOW });
    expect(auditor).not.toHaveProperty('migrateRole');
    expect(() => updateRole(store, auditor, { key: 'Member' }, NOW)).toThrow(FronteggError);
  });

  it('replaces the permission set, deduplicated', () => {
    const store = new IdentityStore();
    const auditor = store.findRole(ROLE_ACME_AUDITOR)!;
    setRolePermissions(store, auditor, [PERM_REPORTS_READ, PERM_REPORTS_READ], NOW);
    expect(auditor.permissions).toEqual([PERM_REPORTS_READ]);
  });

  it('refuses unknown permission ids and keeps the set as it was', () => {
    const store = new IdentityStore();
    const auditor = store.findRole(ROLE_ACME_AUDITOR)!;
    const before = [...auditor.permissions];
    expect(() => setRolePermissions(store, auditor, [PERM_READ_ROLES, 'perm-nope'], NOW)).toThrow(
      'Permissions not found: perm-nope',
    );
    expect(auditor.permissions).toEqual(before);
  });
});

describe('toPermissionResponse', () => {
  it('derives roleIds from the roles that grant the permission', () => {
    const store = new IdentityStore();
    expect(toPermissionResponse(store, store.findPermission(PERM_REPORTS_READ)!).roleIds).toEqual([
      ROLE_ADMIN,
      ROLE_MEMBER,
      ROLE_ACME_AUDITOR,
    ]);
  });
});
