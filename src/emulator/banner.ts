import type { RunningEmulator } from './index';
import { CONTROL_PREFIX } from './schemas/control.schemas';

/** What the stand-alone emulator prints at start: where it is and how to sign in. */
export function describeEmulator(emulator: RunningEmulator): string {
  const { url, clientId, apiKey, users } = emulator;
  const emailWidth = Math.max(...users.map((user) => user.email.length));
  const [first] = users;
  const loginBody = JSON.stringify({ email: first.email, password: first.password });
  return [
    `Frontegg identity emulator listening on ${url}`,
    `  issuer and login domain: ${url}   JWKS: ${url}/.well-known/jwks.json   audience: ${emulator.audience}`,
    `  vendor credentials (POST ${url}/auth/vendor): clientId=${clientId} secret=${apiKey}`,
    '  seeded users (email, password, name, roles per tenant):',
    ...users.map((user) => `    ${user.email.padEnd(emailWidth)}  ${user.password}  ${user.name} [${user.roles}]`),
    '  sign in:',
    `    curl -s -X POST ${url}/identity/resources/auth/v1/user -H 'content-type: application/json' -d '${loginBody}'`,
    `  hosted login (OpenID Connect, code flow with PKCE): ${emulator.openIdConfigurationUrl}`,
    `  test controls: ${url}${CONTROL_PREFIX}/`,
    '    reset, faults, keys/rotate, requests, tokens, vendor-tokens/expire, settings, oauth/revoke, oauth/token (password grant for the gateway\'s docs page)',
  ].join('\n');
}
