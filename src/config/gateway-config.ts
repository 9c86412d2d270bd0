import { FRONTEGG_REGIONS, LOG_FORMATS, LOG_LEVELS, SUPPORTED_JWT_ALGORITHMS, validateEnvironment, type AuthzSource } from './environment';

export type { AuthzSource } from './environment';

export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * The gateway's configuration: validated once at start and injected everywhere by this class.
 * Holds secrets (`apiKey`, `metricsToken`): never log it whole.
 */
export class GatewayConfig {
  readonly port!: number;
  readonly host!: string;
  readonly production!: boolean;
  readonly logLevel!: LogLevel;
  readonly logFormat!: LogFormat;
  readonly frontegg!: {
    /** API base without a trailing slash, e.g. https://api.frontegg.com */
    readonly apiUrl: string;
    readonly appUrl: string;
    readonly clientId: string;
    readonly apiKey: string;
    readonly jwksUrl: string;
    readonly issuers: string[];
    /**
     * Accepted `aud` values, by default the client id. Empty: `aud` is not checked (a warning is
     * printed at start), either because `FRONTEGG_AUDIENCE=*` or, in local mode only, because
     * neither FRONTEGG_AUDIENCE nor FRONTEGG_CLIENT_ID is set.
     */
    readonly audiences: string[];
    /** True when `FRONTEGG_AUDIENCE=*` turned the audience check off on purpose (never in production). */
    readonly audienceCheckDisabled: boolean;
    readonly algorithms: string[];
  };
  readonly jwtClockToleranceS!: number;
  readonly stepUpMaxAgeS!: number;
  /** Where roles and permissions come from: the token's claims (`token`) or always the identity API (`live`). */
  readonly authzSource!: AuthzSource;
  /** How long resolved roles and permissions of one user in one tenant are reused (0: not cached). */
  readonly authzCacheTtlS!: number;
  readonly rolesCacheTtlS!: number;
  /** Plans, features and feature flags in authorization (CONTRACT §4.5). */
  readonly entitlements!: EntitlementsSettings;
  /** One upstream attempt. */
  readonly upstreamTimeoutMs!: number;
  /** Largest upstream answer read; a larger one is a 502, never buffered whole. */
  readonly upstreamMaxResponseBytes!: number;
  /** All upstream work of one request (attempts, retries, vendor-token renewal); past it a 504. */
  readonly requestDeadlineMs!: number;
  readonly rateLimitPerMinute!: number;
  /** How long in-flight requests may take to finish once shutdown begins. */
  readonly shutdownTimeoutMs!: number;
  /** Proxies in front of the gateway whose X-Forwarded-For is believed (0: the socket's address). */
  readonly trustedProxyHops!: number;
  readonly redisUrl?: string;
  /** Longest wait for one Redis command; past it the gateway goes on as when Redis is down. */
  readonly redisCommandTimeoutMs!: number;
  readonly metricsToken?: string;
  readonly corsOrigins!: string[];
  /** Browser sessions (CONTRACT §8): the gateway signs users in itself and keeps their tokens. */
  readonly sessions!: SessionSettings;

  constructor(values: GatewayConfig) {
    Object.assign(this, values);
  }
}

export interface EntitlementsSettings {
  readonly enabled: boolean;
  /** How often the snapshot's offset is checked (the snapshot is reloaded only when it moved). */
  readonly refreshS: number;
}

export interface SessionSettings {
  readonly enabled: boolean;
  /** The gateway's external origin (no trailing slash); the sign-in callback is `${publicUrl}/auth/callback`. */
  readonly publicUrl: string;
  /** The hosted-login application (FRONTEGG_OAUTH_CLIENT_ID, by default FRONTEGG_CLIENT_ID). */
  readonly clientId: string;
  /** Optional: without it the token endpoint is called with PKCE alone (a public client). A secret. */
  readonly clientSecret?: string;
  readonly idleTimeoutS: number;
  readonly maxAgeS: number;
  /** `__Host-session` (Secure) over https; `session` (not Secure) when PUBLIC_URL is plain http (local development). */
  readonly cookieName: '__Host-session' | 'session';
  readonly secureCookie: boolean;
}

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

/** No Frontegg credentials outside production: `npm start` runs against the local emulator. */
export function isLocalMode(env: NodeJS.ProcessEnv): boolean {
  return !env.FRONTEGG_CLIENT_ID?.trim() && env.NODE_ENV !== 'production';
}

/** Builds the configuration from the environment, or throws one message per problem. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  const { values: v, problems } = validateEnvironment(env);
  const production = v.NODE_ENV === 'production';
  const localMode = isLocalMode(env);

  if (!v.FRONTEGG_CLIENT_ID && production) {
    problems.push('FRONTEGG_CLIENT_ID is required in production (local mode is for development only)');
  }
  if (v.FRONTEGG_CLIENT_ID && !v.FRONTEGG_API_KEY) {
    problems.push('FRONTEGG_API_KEY is required with FRONTEGG_CLIENT_ID');
  }
  if (!v.FRONTEGG_APP_URL && !localMode) {
    problems.push('FRONTEGG_APP_URL is required outside local mode');
  }

  const algorithms = list(v.FRONTEGG_JWT_ALGORITHMS) ?? ['RS256'];
  const unsupported = algorithms.filter((alg) => !(SUPPORTED_JWT_ALGORITHMS as readonly string[]).includes(alg));
  if (unsupported.length > 0) {
    problems.push(`FRONTEGG_JWT_ALGORITHMS may only list ${SUPPORTED_JWT_ALGORITHMS.join(', ')} (got ${unsupported.join(', ')})`);
  }

  // `*` alone turns the audience check off; mixed with audiences it is a mistake, and never in production.
  const audienceList = list(v.FRONTEGG_AUDIENCE) ?? [];
  const audienceCheckDisabled = audienceList.includes('*');
  const audienceAlreadyReported = problems.some((problem) => problem.startsWith('FRONTEGG_AUDIENCE '));
  if (audienceCheckDisabled && !audienceAlreadyReported) {
    if (audienceList.length > 1) {
      problems.push('FRONTEGG_AUDIENCE must be either * alone (no audience check) or a list of audiences without *');
    } else if (production) {
      problems.push('FRONTEGG_AUDIENCE=* (no audience check) is refused in production: list the accepted audiences');
    }
  }
  // Without FRONTEGG_AUDIENCE the client id is the audience; with neither (local mode only) nothing is checked.
  // With browser sessions, tokens of the hosted-login application (FRONTEGG_OAUTH_CLIENT_ID) are the environment's too.
  const hostedLoginAudience = v.SESSIONS === 'on' && v.FRONTEGG_OAUTH_CLIENT_ID ? [v.FRONTEGG_OAUTH_CLIENT_ID] : [];
  const defaultAudiences = [...new Set([...(v.FRONTEGG_CLIENT_ID ? [v.FRONTEGG_CLIENT_ID] : []), ...hostedLoginAudience])];
  const audiences = audienceCheckDisabled ? [] : audienceList.length > 0 ? audienceList : defaultAudiences;

  const appUrl = trimSlash(v.FRONTEGG_APP_URL ?? '');
  // An invalid region is already reported; the eu default only keeps the remaining checks going.
  const apiUrl = trimSlash(v.FRONTEGG_API_URL ?? FRONTEGG_REGIONS[v.FRONTEGG_REGION ?? 'eu'] ?? FRONTEGG_REGIONS.eu);
  const jwksUrl = v.FRONTEGG_JWKS_URL ?? `${appUrl}/.well-known/jwks.json`;

  if (production && v.FRONTEGG_ALLOW_HTTP !== 'true') {
    // The JWKS URL is checked only when set: by default it follows the app URL, already checked.
    const plainHttp = { FRONTEGG_API_URL: apiUrl, FRONTEGG_APP_URL: appUrl, FRONTEGG_JWKS_URL: v.FRONTEGG_JWKS_URL };
    for (const [name, url] of Object.entries(plainHttp)) {
      if (url?.startsWith('http://')) problems.push(`${name} must use https in production (or set FRONTEGG_ALLOW_HTTP=true)`);
    }
  }

  const sessionsEnabled = v.SESSIONS === 'on';
  const publicUrl = trimSlash(v.PUBLIC_URL ?? '');
  if (sessionsEnabled && !publicUrl) problems.push('PUBLIC_URL is required with SESSIONS=on (the sign-in callback is ${PUBLIC_URL}/auth/callback)');
  if (publicUrl && !problems.some((problem) => problem.startsWith('PUBLIC_URL '))) {
    const { origin } = new URL(publicUrl);
    if (origin !== publicUrl) problems.push('PUBLIC_URL must be an origin (scheme://host[:port]) without a path, query or fragment');
    else if (sessionsEnabled && production && origin.startsWith('http://')) problems.push('PUBLIC_URL must use https in production: the session cookie is Secure');
  }
  const idleTimeoutS = v.SESSION_IDLE_TIMEOUT_S ?? 1800;
  const maxAgeS = v.SESSION_MAX_AGE_S ?? 43_200;
  if (sessionsEnabled && idleTimeoutS > maxAgeS) problems.push('SESSION_IDLE_TIMEOUT_S must not exceed SESSION_MAX_AGE_S');
  const oauthClientId = v.FRONTEGG_OAUTH_CLIENT_ID ?? v.FRONTEGG_CLIENT_ID ?? '';
  if (sessionsEnabled && !oauthClientId) problems.push('FRONTEGG_OAUTH_CLIENT_ID (or FRONTEGG_CLIENT_ID) is required with SESSIONS=on');

  if (problems.length > 0) throw new ConfigurationError(problems);

  const secureCookie = !publicUrl.startsWith('http://');

  return new GatewayConfig({
    port: v.PORT ?? 3000,
    host: v.HOST ?? '0.0.0.0',
    production,
    logLevel: v.LOG_LEVEL ?? 'info',
    logFormat: v.LOG_FORMAT ?? 'json',
    frontegg: {
      apiUrl,
      appUrl,
      clientId: v.FRONTEGG_CLIENT_ID ?? '',
      apiKey: v.FRONTEGG_API_KEY ?? '',
      jwksUrl,
      issuers: list(v.FRONTEGG_ISSUERS)?.map(trimSlash) ?? [appUrl],
      audiences,
      audienceCheckDisabled,
      algorithms,
    },
    jwtClockToleranceS: v.JWT_CLOCK_TOLERANCE_S ?? 30,
    stepUpMaxAgeS: v.STEP_UP_MAX_AGE_S ?? 300,
    authzSource: v.AUTHZ_SOURCE ?? 'token',
    authzCacheTtlS: v.AUTHZ_CACHE_TTL_S ?? 30,
    rolesCacheTtlS: v.ROLES_CACHE_TTL_S ?? 30,
    entitlements: { enabled: v.ENTITLEMENTS === 'on', refreshS: v.ENTITLEMENTS_REFRESH_S ?? 30 },
    upstreamTimeoutMs: v.UPSTREAM_TIMEOUT_MS ?? 5000,
    upstreamMaxResponseBytes: v.UPSTREAM_MAX_RESPONSE_BYTES ?? 1_048_576,
    requestDeadlineMs: v.REQUEST_DEADLINE_MS ?? 10_000,
    rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE ?? 600,
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS ?? 10_000,
    trustedProxyHops: v.TRUST_PROXY ?? 0,
    redisUrl: v.REDIS_URL,
    redisCommandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS ?? 250,
    metricsToken: v.METRICS_TOKEN,
    corsOrigins: list(v.CORS_ORIGINS)?.map(trimSlash) ?? [],
    sessions: {
      enabled: sessionsEnabled,
      publicUrl,
      clientId: oauthClientId,
      clientSecret: v.FRONTEGG_OAUTH_CLIENT_SECRET,
      idleTimeoutS,
      maxAgeS,
      cookieName: secureCookie ? '__Host-session' : 'session',
      secureCookie,
    },
  });
}

function list(value: string | undefined): string[] | undefined {
  return value?.split(',').map((item) => item.trim()).filter(Boolean);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
