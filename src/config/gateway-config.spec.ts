import { ConfigurationError, isLocalMode, loadGatewayConfig } from './gateway-config';

const valid = {
  FRONTEGG_CLIENT_ID: 'client-1',
  FRONTEGG_API_KEY: 'super-secret-api-key',
  FRONTEGG_APP_URL: 'https://app-abc.frontegg.com/',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('configuration unexpectedly valid');
}

describe('loadGatewayConfig', () => {
  it('applies the contract defaults', () => {
    const config = loadGatewayConfig(valid);
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      jwtClockToleranceS: 30,
      stepUpMaxAgeS: 300,
      authzSource: 'token',
      authzCacheTtlS: 30,
      rolesCacheTtlS: 30,
      upstreamTimeoutMs: 5000,
      rateLimitPerMinute: 600,
      corsOrigins: [],
      logLevel: 'info',
      logFormat: 'json',
    });
    expect(config.frontegg).toMatchObject({
      apiUrl: 'https://api.frontegg.com',
      appUrl: 'https://app-abc.frontegg.com',
      jwksUrl: 'https://app-abc.frontegg.com/.well-known/jwks.json',
      issuers: ['https://app-abc.frontegg.com'],
      // CONTRACT §1: the audience is always enforced, by default the client id.
      audiences: ['client-1'],
      audienceCheckDisabled: false,
      algorithms: ['RS256'],
    });
  });

  it.each([
    ['eu', 'https://api.frontegg.com'],
    ['us', 'https://api.us.frontegg.com'],
    ['ca', 'https://api.ca.frontegg.com'],
    ['au', 'https://api.au.frontegg.com'],
  ])('region %s picks %s', (region, apiUrl) => {
    expect(loadGatewayConfig({ ...valid, FRONTEGG_REGION: region }).frontegg.apiUrl).toBe(apiUrl);
  });

  it('lets FRONTEGG_API_URL override the region and parses lists', () => {
    const config = loadGatewayConfig({
      ...valid,
      FRONTEGG_REGION: 'us',
      FRONTEGG_API_URL: 'http://127.0.0.1:3001/',
      FRONTEGG_ISSUERS: 'https://a.example.com, https://b.example.com/',
      FRONTEGG_AUDIENCE: 'aud-1,aud-2',
      FRONTEGG_JWT_ALGORITHMS: 'RS256, ES256',
      CORS_ORIGINS: 'https://app.example.com',
    });
    expect(config.frontegg.apiUrl).toBe('http://127.0.0.1:3001');
    expect(config.frontegg.issuers).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(config.frontegg.audiences).toEqual(['aud-1', 'aud-2']);
    expect(config.frontegg.algorithms).toEqual(['RS256', 'ES256']);
    expect(config.corsOrigins).toEqual(['https://app.example.com']);
  });

  it('bounds every wait and answer by default (CONTRACT §1) and takes overrides', () => {
    expect(loadGatewayConfig(valid)).toMatchObject({ upstreamMaxResponseBytes: 1_048_576, requestDeadlineMs: 10_000, redisCommandTimeoutMs: 250 });
    const config = loadGatewayConfig({ ...valid, UPSTREAM_MAX_RESPONSE_BYTES: '4096', REQUEST_DEADLINE_MS: '1500', REDIS_COMMAND_TIMEOUT_MS: '50' });
    expect(config).toMatchObject({ upstreamMaxResponseBytes: 4096, requestDeadlineMs: 1500, redisCommandTimeoutMs: 50 });
    expect(problemsOf({ ...valid, UPSTREAM_MAX_RESPONSE_BYTES: '10', REQUEST_DEADLINE_MS: '0', REDIS_COMMAND_TIMEOUT_MS: 'soon' })).toEqual([
      'UPSTREAM_MAX_RESPONSE_BYTES must be an integer from 1024 to 67108864',
      'REQUEST_DEADLINE_MS must be an integer from 1 to 300000',
      'REDIS_COMMAND_TIMEOUT_MS must be an integer from 1 to 60000',
    ]);
  });

  it('reports one line per problem, naming each variable', () => {
    const problems = problemsOf({
      ...valid,
      PORT: 'eighty',
      FRONTEGG_REGION: 'mars',
      UPSTREAM_TIMEOUT_MS: '0',
      LOG_LEVEL: 'loud',
      FRONTEGG_JWT_ALGORITHMS: 'HS256,none',
    });
    expect(problems).toHaveLength(5);
    for (const name of ['PORT', 'FRONTEGG_REGION', 'UPSTREAM_TIMEOUT_MS', 'LOG_LEVEL', 'FRONTEGG_JWT_ALGORITHMS']) {
      expect(problems.filter((line) => line.startsWith(name))).toHaveLength(1);
    }
  });

  it('never prints a secret value', () => {
    const secret = 'not a valid key because it has spaces';
    const problems = problemsOf({ ...valid, FRONTEGG_API_KEY: secret, METRICS_TOKEN: 'short' });
    expect(problems.join('\n')).not.toContain(secret);
    expect(problems.join('\n')).not.toContain('short');
    expect(problems).toEqual([expect.stringMatching(/^FRONTEGG_API_KEY /), expect.stringMatching(/^METRICS_TOKEN /)]);
  });

  it('requires the API key with a client id, and an app URL outside local mode', () => {
    expect(problemsOf({ FRONTEGG_CLIENT_ID: 'c' })).toEqual([
      'FRONTEGG_API_KEY is required with FRONTEGG_CLIENT_ID',
      'FRONTEGG_APP_URL is required outside local mode',
    ]);
  });

  it('refuses local mode and plain http in production unless allowed', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toContain(
      'FRONTEGG_CLIENT_ID is required in production (local mode is for development only)',
    );
    const plain = { ...valid, NODE_ENV: 'production', FRONTEGG_API_URL: 'http://frontegg.internal' };
    expect(problemsOf(plain)).toEqual(['FRONTEGG_API_URL must use https in production (or set FRONTEGG_ALLOW_HTTP=true)']);
    expect(loadGatewayConfig({ ...plain, FRONTEGG_ALLOW_HTTP: 'true' }).production).toBe(true);
  });

  describe('FRONTEGG_AUDIENCE', () => {
    it('defaults to the client id, and is replaced (not extended) when set', () => {
      expect(loadGatewayConfig(valid).frontegg.audiences).toEqual(['client-1']);
      expect(loadGatewayConfig({ ...valid, NODE_ENV: 'production' }).frontegg.audiences).toEqual(['client-1']);
      expect(loadGatewayConfig({ ...valid, FRONTEGG_AUDIENCE: 'other' }).frontegg.audiences).toEqual(['other']);
      expect(loadGatewayConfig({ ...valid, FRONTEGG_AUDIENCE: '  ' }).frontegg.audiences).toEqual(['client-1']);
    });

    it('stays empty without an audience or a client id, which is only possible outside production', () => {
      expect(loadGatewayConfig({ FRONTEGG_APP_URL: 'http://127.0.0.1:3001' }).frontegg).toMatchObject({
        audiences: [],
        audienceCheckDisabled: false,
      });
      expect(problemsOf({ NODE_ENV: 'production', FRONTEGG_APP_URL: 'https://app.test' })).toEqual([
        'FRONTEGG_CLIENT_ID is required in production (local mode is for development only)',
      ]);
    });

    it('turns the check off with * alone outside production, saying so', () => {
      const { frontegg } = loadGatewayConfig({ ...valid, FRONTEGG_AUDIENCE: '*' });
      expect(frontegg.audiences).toEqual([]);
      expect(frontegg.audienceCheckDisabled).toBe(true);
      expect(loadGatewayConfig({ ...valid, FRONTEGG_AUDIENCE: ' * ' }).frontegg.audienceCheckDisabled).toBe(true);
    });

    it('refuses * in production with one line naming the variable', () => {
      expect(problemsOf({ ...valid, NODE_ENV: 'production', FRONTEGG_AUDIENCE: '*' })).toEqual([
        expect.stringMatching(/^FRONTEGG_AUDIENCE=\* .*production/),
      ]);
    });

    it.each(['*,client-1', 'client-1, *', '*,*'])('refuses * mixed with other values (%s)', (audience) => {
      for (const nodeEnv of [undefined, 'production']) {
        const problems = problemsOf({ ...valid, NODE_ENV: nodeEnv, FRONTEGG_AUDIENCE: audience });
        expect(problems).toEqual([expect.stringMatching(/^FRONTEGG_AUDIENCE must be either \* alone/)]);
      }
    });

    it('reports a malformed list once', () => {
      expect(problemsOf({ ...valid, FRONTEGG_AUDIENCE: '*,,client-1' })).toEqual(['FRONTEGG_AUDIENCE must be a comma-separated list']);
    });
  });

  describe('AUTHZ_SOURCE and AUTHZ_CACHE_TTL_S', () => {
    it.each(['token', 'live'])('accepts AUTHZ_SOURCE=%s', (source) => {
      expect(loadGatewayConfig({ ...valid, AUTHZ_SOURCE: source }).authzSource).toBe(source);
    });

    it.each(['Live', 'claims', 'token,live'])('refuses AUTHZ_SOURCE=%s with one line naming it', (source) => {
      expect(problemsOf({ ...valid, AUTHZ_SOURCE: source })).toEqual(['AUTHZ_SOURCE must be one of token, live']);
    });

    it.each([
      ['0', 0],
      ['45', 45],
      ['86400', 86400],
    ])('accepts AUTHZ_CACHE_TTL_S=%s', (value, seconds) => {
      expect(loadGatewayConfig({ ...valid, AUTHZ_CACHE_TTL_S: value }).authzCacheTtlS).toBe(seconds);
    });

    it.each(['-1', '86401', '1.5', 'soon'])('refuses AUTHZ_CACHE_TTL_S=%s with one line naming it', (value) => {
      expect(problemsOf({ ...valid, AUTHZ_CACHE_TTL_S: value })).toEqual(['AUTHZ_CACHE_TTL_S must be an integer from 0 to 86400']);
    });
  });

  describe('browser sessions (CONTRACT §8)', () => {
    it('are off by default, with the contract defaults for lifetimes', () => {
      expect(loadGatewayConfig(valid).sessions).toMatchObject({ enabled: false, idleTimeoutS: 1800, maxAgeS: 43_200, clientId: 'client-1' });
    });

    it('use the __Host- cookie over https and the hosted-login client id, by default FRONTEGG_CLIENT_ID', () => {
      const config = loadGatewayConfig({ ...valid, SESSIONS: 'on', PUBLIC_URL: 'https://app.example.com/' });
      expect(config.sessions).toEqual({
        enabled: true,
        publicUrl: 'https://app.example.com',
        clientId: 'client-1',
        clientSecret: undefined,
        idleTimeoutS: 1800,
        maxAgeS: 43_200,
        cookieName: '__Host-session',
        secureCookie: true,
      });
    });

    it('take FRONTEGG_OAUTH_CLIENT_ID and FRONTEGG_OAUTH_CLIENT_SECRET over the API client', () => {
      const config = loadGatewayConfig({ ...valid, SESSIONS: 'on', PUBLIC_URL: 'https://app.example.com', FRONTEGG_OAUTH_CLIENT_ID: 'hosted-app', FRONTEGG_OAUTH_CLIENT_SECRET: 'hosted-secret' });
      expect(config.sessions).toMatchObject({ clientId: 'hosted-app', clientSecret: 'hosted-secret' });
      // Its tokens are accepted too, unless FRONTEGG_AUDIENCE says otherwise.
      expect(config.frontegg.audiences).toEqual(['client-1', 'hosted-app']);
      expect(loadGatewayConfig({ ...valid, FRONTEGG_OAUTH_CLIENT_ID: 'hosted-app' }).frontegg.audiences).toEqual(['client-1']);
      expect(loadGatewayConfig({ ...valid, SESSIONS: 'on', PUBLIC_URL: 'https://app.example.com', FRONTEGG_OAUTH_CLIENT_ID: 'hosted-app', FRONTEGG_AUDIENCE: 'only-this' }).frontegg.audiences).toEqual(['only-this']);
    });

    it('use the plain `session` cookie, without Secure, when PUBLIC_URL is plain http outside production', () => {
      expect(loadGatewayConfig({ ...valid, SESSIONS: 'on', PUBLIC_URL: 'http://localhost:3000' }).sessions).toMatchObject({ cookieName: 'session', secureCookie: false });
    });

    it('need PUBLIC_URL, an origin, https in production, and an idle timeout within the absolute one', () => {
      expect(problemsOf({ ...valid, SESSIONS: 'on' })).toEqual([expect.stringMatching(/^PUBLIC_URL is required with SESSIONS=on/)]);
      expect(problemsOf({ ...valid, SESSIONS: 'on', PUBLIC_URL: 'https://app.example.com/base' })).toEqual([expect.stringMatching(/^PUBLIC_URL must be an origin/)]);
      expect(problemsOf({ ...valid, NODE_ENV: 'production', SESSIONS: 'on', PUBLIC_URL: 'http://app.example.com' })).toEqual([expect.stringMatching(/^PUBLIC_URL must use https in production/)]);
      expect(problemsOf({ ...valid, SESSIONS: 'on', PUBLIC_URL: 'https://app.example.com', SESSION_IDLE_TIMEOUT_S: '7200', SESSION_MAX_AGE_S: '3600' })).toEqual([
        'SESSION_IDLE_TIMEOUT_S must not exceed SESSION_MAX_AGE_S',
      ]);
    });

    it.each([
      ['SESSIONS', 'yes'],
      ['PUBLIC_URL', 'app.example.com'],
      ['SESSION_IDLE_TIMEOUT_S', '-5'],
      ['SESSION_MAX_AGE_S', 'forever'],
      ['FRONTEGG_OAUTH_CLIENT_SECRET', 'has spaces in it'],
    ])('refuses %s=%s with one line naming it, never its value', (name, value) => {
      const problems = problemsOf({ ...valid, [name]: value });
      expect(problems).toHaveLength(1);
      expect(problems[0].startsWith(name)).toBe(true);
      expect(problems[0]).not.toContain(value);
    });
  });

  describe('entitlements (CONTRACT §1, §4.5)', () => {
    it('are off by default and checked every 30 s', () => {
      expect(loadGatewayConfig(valid).entitlements).toEqual({ enabled: false, refreshS: 30 });
    });

    it('take ENTITLEMENTS=on and ENTITLEMENTS_REFRESH_S', () => {
      expect(loadGatewayConfig({ ...valid, ENTITLEMENTS: 'on', ENTITLEMENTS_REFRESH_S: '5' }).entitlements).toEqual({ enabled: true, refreshS: 5 });
    });

    it.each([
      ['ENTITLEMENTS', 'yes'],
      ['ENTITLEMENTS_REFRESH_S', '0'],
      ['ENTITLEMENTS_REFRESH_S', '86401'],
      ['ENTITLEMENTS_REFRESH_S', 'often'],
    ])('refuses %s=%s with one line naming it', (name, value) => {
      const problems = problemsOf({ ...valid, [name]: value });
      expect(problems).toHaveLength(1);
      expect(problems[0].startsWith(name)).toBe(true);
    });
  });

  it('is in local mode only without a client id outside production', () => {
    expect(isLocalMode({})).toBe(true);
    expect(isLocalMode({ NODE_ENV: 'production' })).toBe(false);
    expect(isLocalMode({ FRONTEGG_CLIENT_ID: 'c' })).toBe(false);
  });
});
