/**
 * The cache scope of everything derived from a tenant's roles: the role listing and every user's
 * resolved grants. One `ReadThroughCache.changed()` of it makes them all read the upstream again,
 * on every instance sharing the store. It is the key under which resolved grants kept their
 * generation before the listing joined them, so instances of the previous release sharing Redis
 * during a rolling deploy still see each other's changes to grants.
 */
export function tenantRolesScope(tenantId: string): string {
  return `authz-generation:${tenantId}`;
}
