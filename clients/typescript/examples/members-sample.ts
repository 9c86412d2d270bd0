// A Users page and a tenant switcher on the typed client; compiled strictly and run by test/typed-client.e2e-spec.ts.
import { createGatewayClient, isDenial, type Member, type MyTenant } from '@frontegg-identity-gateway/client';

/** Every member of the caller's tenant, page by page, by name. */
export async function allMembers(gatewayUrl: string, token: string): Promise<Member[]> {
  const gateway = createGatewayClient({ baseUrl: gatewayUrl, token });
  const members: Member[] = [];
  for (let page = 0; ; page++) {
    const { data, error } = await gateway.GET('/v1/users', { params: { query: { limit: 20, page, sort: 'name', order: 'asc' } } });
    if (error) throw new Error(`${error.status} ${error.detail}`);
    members.push(...data.items);
    if (!data.hasMore) return members;
  }
}

/** Invites a colleague and gives them a role, or says why not (a 403's reason, a 409 for a member already there). */
export async function inviteWithRole(gatewayUrl: string, token: string, email: string, roleId: string): Promise<Member | string> {
  const gateway = createGatewayClient({ baseUrl: gatewayUrl, token });
  const invited = await gateway.POST('/v1/users', { body: { email, skipInviteEmail: true } });
  if (invited.error) {
    if (isDenial(invited.error)) return `refused: ${invited.error.reason}`;
    if (invited.error.status === 409) return 'already a member';
    throw new Error(`${invited.error.status} ${invited.error.detail}`);
  }
  const roleIds = [...invited.data.roles.map((role) => role.id), roleId];
  const changed = await gateway.PUT('/v1/users/{userId}/roles', { params: { path: { userId: invited.data.id } }, body: { roleIds } });
  if (changed.error) throw new Error(`${changed.error.status} ${changed.error.detail}`);
  return changed.data;
}

/** The tenant switcher: the user's tenants, then the switch (with a Bearer token, refresh it afterwards). */
export async function switchTenant(gatewayUrl: string, token: string, tenantId: string): Promise<{ before: MyTenant[]; refreshRequired: boolean }> {
  const gateway = createGatewayClient({ baseUrl: gatewayUrl, token });
  const tenants = await gateway.GET('/v1/me/tenants');
  if (tenants.error) throw new Error(`${tenants.error.status} ${tenants.error.detail}`);
  const switched = await gateway.PUT('/v1/me/tenant', { body: { tenantId } });
  if (switched.error) throw new Error(`${switched.error.status} ${switched.error.detail}`);
  return { before: tenants.data, refreshRequired: switched.data.refreshRequired };
}
