// Deliberately wrong: each line marked `// error TS…` must fail to compile with that code, naming
// the wrong name (test/typed-client.e2e-spec.ts runs tsc on this file and expects exactly these errors).
import { createGatewayClient, isDenial } from '@frontegg-identity-gateway/client';

export async function mistakes(gatewayUrl: string, token: string): Promise<string> {
  const gateway = createGatewayClient({ baseUrl: gatewayUrl, token });
  const me = await gateway.GET('/v1/me');
  if (me.error) return me.error.detail;
  const email: string = me.data.emial; // error TS2551 emial
  await gateway.PATCH('/v1/me', { body: { nmae: 'Alice' } }); // error TS2353 nmae
  await gateway.GET('/v1/roels'); // error TS2345 /v1/roels
  await gateway.DELETE('/v1/roles/{roleId}', { params: { path: { rolId: 'role-x' } } }); // error TS2561 rolId
  const created = await gateway.POST('/v1/roles', { body: { key: 'auditor', name: 'Auditor', level: 30 } });
  if (isDenial(created.error) && created.error.reason === 'missing-permision') return email; // error TS2367 missing-permision
  return email;
}
