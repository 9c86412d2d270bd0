import { describeEmulator } from './banner';
import { seedUserSignIns } from './seed';

describe('describeEmulator', () => {
  const text = describeEmulator({
    url: 'http://127.0.0.1:3001',
    issuer: 'http://127.0.0.1:3001',
    audience: 'client',
    clientId: 'client',
    apiKey: 'key',
    users: seedUserSignIns(),
    passwordGrantTokenUrl: 'http://127.0.0.1:3001/_emulator/oauth/token',
    openIdConfigurationUrl: 'http://127.0.0.1:3001/.well-known/openid-configuration',
    gatewayEnvironment: {
      FRONTEGG_API_URL: 'http://127.0.0.1:3001',
      FRONTEGG_APP_URL: 'http://127.0.0.1:3001',
      FRONTEGG_CLIENT_ID: 'client',
      FRONTEGG_API_KEY: 'key',
      FRONTEGG_AUDIENCE: 'client',
    },
    close: async () => undefined,
  });

  it('tells where the emulator is and its vendor credentials', () => {
    expect(text).toContain('listening on http://127.0.0.1:3001');
    expect(text).toContain('clientId=client secret=key');
  });

  it('lists every seeded user with password and roles per tenant', () => {
    expect(text).toContain('Erin Both [tenant-acme: Member; tenant-globex: globex-support]');
    expect(text.match(/frontegg-dev-password {2}/g)).toHaveLength(seedUserSignIns().length);
  });

  it('gives a copy-paste sign-in command', () => {
    expect(text).toContain(
      `curl -s -X POST http://127.0.0.1:3001/identity/resources/auth/v1/user -H 'content-type: application/json' -d '{"email":"alice@acme.test","password":"frontegg-dev-password"}'`,
    );
  });
});
