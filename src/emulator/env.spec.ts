import { emulatorOptionsFromEnv } from './env';

describe('emulatorOptionsFromEnv', () => {
  it('defaults to 127.0.0.1:3001 and leaves the rest to the emulator defaults', () => {
    expect(emulatorOptionsFromEnv({})).toEqual({
      options: {
        port: 3001,
        host: '127.0.0.1',
        vendorTokenTtlSeconds: undefined,
        clientId: undefined,
        apiKey: undefined,
        publicUrl: undefined,
        tokenClaims: undefined,
        oauthClientSecret: undefined,
        oauthAccessTokenTtlSeconds: undefined,
      },
      problems: [],
    });
  });

  it('reads every variable', () => {
    const { options, problems } = emulatorOptionsFromEnv({
      EMULATOR_PORT: '4010',
      EMULATOR_HOST: '0.0.0.0',
      EMULATOR_VENDOR_TOKEN_TTL_S: '120',
      EMULATOR_CLIENT_ID: 'client',
      EMULATOR_API_KEY: 'key',
      EMULATOR_PUBLIC_URL: 'http://emulator:4010',
      EMULATOR_TOKEN_CLAIMS: 'identity-only',
      EMULATOR_OAUTH_CLIENT_SECRET: 'secret',
      EMULATOR_OAUTH_ACCESS_TOKEN_TTL_S: '30',
    });
    expect(problems).toEqual([]);
    expect(options).toEqual({
      port: 4010,
      host: '0.0.0.0',
      vendorTokenTtlSeconds: 120,
      clientId: 'client',
      apiKey: 'key',
      publicUrl: 'http://emulator:4010',
      tokenClaims: 'identity-only',
      oauthClientSecret: 'secret',
      oauthAccessTokenTtlSeconds: 30,
    });
  });

  it('refuses token claims other than full and identity-only', () => {
    expect(emulatorOptionsFromEnv({ EMULATOR_TOKEN_CLAIMS: 'none' }).problems).toEqual([
      "EMULATOR_TOKEN_CLAIMS must be one of full, identity-only, got 'none'",
    ]);
    expect(emulatorOptionsFromEnv({ EMULATOR_TOKEN_CLAIMS: 'full' }).options.tokenClaims).toBe('full');
  });

  it('names each invalid variable on its own line, without echoing credentials', () => {
    const { problems } = emulatorOptionsFromEnv({
      EMULATOR_PORT: '70000',
      EMULATOR_VENDOR_TOKEN_TTL_S: '0',
      EMULATOR_HOST: ' ',
      EMULATOR_API_KEY: ' secret-with-space',
    });
    expect(problems).toEqual([
      "EMULATOR_PORT must be an integer from 0 to 65535, got '70000'",
      'EMULATOR_HOST must be a non-empty value without surrounding spaces',
      "EMULATOR_VENDOR_TOKEN_TTL_S must be an integer from 1 to 31536000, got '0'",
      'EMULATOR_API_KEY must be a non-empty value without surrounding spaces',
    ]);
    expect(problems.join('\n')).not.toContain('secret-with-space');
  });

  it('refuses a public URL with a path or another scheme', () => {
    expect(emulatorOptionsFromEnv({ EMULATOR_PUBLIC_URL: 'http://emulator:3001/api' }).problems).toEqual([
      'EMULATOR_PUBLIC_URL must be an http(s) URL of scheme, host and port only',
    ]);
    expect(emulatorOptionsFromEnv({ EMULATOR_PUBLIC_URL: 'ftp://emulator' }).problems).toHaveLength(1);
  });

  it('refuses a port that is not a plain integer', () => {
    expect(emulatorOptionsFromEnv({ EMULATOR_PORT: '30.5' }).problems).toHaveLength(1);
    expect(emulatorOptionsFromEnv({ EMULATOR_PORT: '0x10' }).problems).toHaveLength(1);
  });
});
