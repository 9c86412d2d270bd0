// Compiled with strict settings and run against a gateway in local mode by test/typed-client.e2e-spec.ts.
import { createGatewayClient, isDenial, type Profile, type Role } from '@frontegg-identity-gateway/client';

/** Local mode only: the emulator signs seeded users in. In production the token comes from Frontegg's login. */
export async function signInLocally(emulatorUrl: string, email: string): Promise<string> {
  const answer = await fetch(`${emulatorUrl}/identity/resources/auth/v1/user`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'frontegg-dev-password' }),
  });
  if (!answer.ok) throw new Error(`sign-in refused: ${answer.status}`);
  const { accessToken } = (await answer.json()) as { accessToken: string };
  return accessToken;
}

/** Reads the signed-in user's profile, then renames them. */
export async function renameMe(gatewayUrl: string, token: string, name: string): Promise<Profile> {
  const gateway = createGatewayClient({ baseUrl: gatewayUrl, token });
  const me = await gateway.GET('/v1/me');
  if (me.error) throw new Error(`${me.error.status} ${me.error.detail}`);
  console.log(`${me.data.email} (${me.data.roles.map((role) => role.key).join(', ')}) was ${me.data.name}`);
  const renamed = await gateway.PATCH('/v1/me', { body: { name } });
  if (renamed.error) throw new Error(`${renamed.error.status} ${renamed.error.detail}`);
  return renamed.data;
}

/** The tenant's roles and the environment-wide ones (which nobody can change). */
export async function listRoles(gatewayUrl: string, token: string): Promise<Role[]> {
  const gateway = createGatewayClient({ baseUrl: gatewayUrl, token });
  const { data, error } = await gateway.GET('/v1/roles');
  if (error) throw new Error(`${error.status} ${error.detail}`);
  return data;
}

/** Creates a role, or says why this user may not: a 403's `reason` is typed per operation. */
export async function createRole(gatewayUrl: string, token: string, key: string): Promise<Role | string> {
  const gateway = createGatewayClient({ baseUrl: gatewayUrl, token });
  const { data, error } = await gateway.POST('/v1/roles', { body: { key, name: key, level: 40 } });
  if (!error) return data;
  if (isDenial(error)) {
    switch (error.reason) {
      case 'missing-permission':
        return `Ask an admin for access (${error.detail})`;
      case 'role-level':
        return 'A role cannot be stronger than your own';
    }
  }
  throw new Error(`${error.status} ${error.title}: ${error.detail} (request ${error.requestId})`);
}
