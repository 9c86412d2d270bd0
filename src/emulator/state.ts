import type { PermissionRecord, RoleRecord, TenantRecord, UserRecord } from './model';
import { createSeedData } from './seed';

function byId<T extends { id: string }>(items: T[]): Map<string, T> {
  return new Map(items.map((item) => [item.id, item]));
}

/**
 * The emulator's identity data, in memory. Records are returned by reference: the
 * domain functions (roles.ts, users.ts) change them in place. Maps keep insertion
 * order, so listings are stable: seed order, then creation order.
 */
export class IdentityStore {
  private tenants = new Map<string, TenantRecord>();
  private permissions = new Map<string, PermissionRecord>();
  private roles = new Map<string, RoleRecord>();
  private users = new Map<string, UserRecord>();

  constructor() {
    this.reset();
  }

  /** Back to a fresh copy of the seed data. */
  reset(): void {
    const seed = createSeedData();
    this.tenants = new Map(seed.tenants.map((tenant) => [tenant.tenantId, tenant]));
    this.permissions = byId(seed.permissions);
    this.roles = byId(seed.roles);
    this.users = byId(seed.users);
  }

  listPermissions(): PermissionRecord[] {
    return [...this.permissions.values()];
  }

  findPermission(id: string): PermissionRecord | undefined {
    return this.permissions.get(id);
  }

  listRoles(): RoleRecord[] {
    return [...this.roles.values()];
  }

  findRole(id: string): RoleRecord | undefined {
    return this.roles.get(id);
  }

  addRole(role: RoleRecord): void {
    this.roles.set(role.id, role);
  }

  /** Deletes the role and takes it away from every user, in every tenant. */
  deleteRole(id: string): void {
    this.roles.delete(id);
    for (const user of this.users.values()) {
      for (const membership of user.tenants) {
        membership.roleIds = membership.roleIds.filter((roleId) => roleId !== id);
      }
    }
  }

  /** A tenant's name; a tenant the seed does not name is called by its id. */
  tenantName(tenantId: string): string {
    return this.tenants.get(tenantId)?.name ?? tenantId;
  }

  listUsers(): UserRecord[] {
    return [...this.users.values()];
  }

  addUser(user: UserRecord): void {
    this.users.set(user.id, user);
  }

  findUser(id: string): UserRecord | undefined {
    return this.users.get(id);
  }

  deleteUser(id: string): void {
    this.users.delete(id);
  }

  /** Emails compare case-insensitively, as sign-in forms do. */
  findUserByEmail(email: string): UserRecord | undefined {
    const wanted = email.toLowerCase();
    return [...this.users.values()].find((user) => user.email.toLowerCase() === wanted);
  }
}
