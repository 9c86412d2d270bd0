import { FRONTEGG_REGIONS, LOG_LEVELS, SUPPORTED_JWT_ALGORITHMS, validateEnvironment } from './environment';

export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The gateway's configuration: validated once at start and injected everywhere by this class.
 * Holds secrets (`apiKey`, `metricsToken`): never log it whole.
 */
export class GatewayConfig {
  readonly port!: number;
  readonly host!: string;
  readonly production!: boolean;
  readonly logLevel!: LogLevel;
  readonly frontegg!: {
    /** API base without a trailing slash, e.g. https://api.frontegg.com */
    readonly apiUrl: string;
    readonly appUrl: string;
    readonly clientId: string;
    readonly apiKey: string;
    readonly jwksUrl: string;
    readonly issuers: string[];
    /** Empty: `aud` is not checked (a warning is logged at start). */
    readonly audiences: string[];
    readonly algorithms: string[];
  };
  readonly jwtClockToleranceS!: number;
  readonly stepUpMaxAgeS!: number;
  readonly rolesCacheTtlS!: number;
  readonly upstreamTimeoutMs!: number;
  readonly rateLimitPerMinute!: number;
  /** How long in-flight requests may take to finish once shutdown begins. */
  readonly shutdownTimeoutMs!: number;
  /** Proxies in front of the gateway whose X-Forwarded-For is believed (0: the socket's address). */
  readonly trustedProxyHops!: number;
  readonly redisUrl?: string;
  readonly metricsToken?: string;
  readonly corsOrigins!: string[];

  constructor(values: GatewayConfig) {
    Object.assign(this, values);
  }
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

  if (problems.length > 0) throw new ConfigurationError(problems);

  return new GatewayConfig({
    port: v.PORT ?? 3000,
    host: v.HOST ?? '0.0.0.0',
    production,
    logLevel: v.LOG_LEVEL ?? 'info',
    frontegg: {
      apiUrl,
      appUrl,
      clientId: v.FRONTEGG_CLIENT_ID ?? '',
      apiKey: v.FRONTEGG_API_KEY ?? '',
      jwksUrl,
      issuers: list(v.FRONTEGG_ISSUERS)?.map(trimSlash) ?? [appUrl],
      audiences: list(v.FRONTEGG_AUDIENCE) ?? [],
      algorithms,
    },
    jwtClockToleranceS: v.JWT_CLOCK_TOLERANCE_S ?? 30,
    stepUpMaxAgeS: v.STEP_UP_MAX_AGE_S ?? 300,
    rolesCacheTtlS: v.ROLES_CACHE_TTL_S ?? 30,
    upstreamTimeoutMs: v.UPSTREAM_TIMEOUT_MS ?? 5000,
    rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE ?? 600,
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS ?? 10_000,
    trustedProxyHops: v.TRUST_PROXY ?? 0,
    redisUrl: v.REDIS_URL,
    metricsToken: v.METRICS_TOKEN,
    corsOrigins: list(v.CORS_ORIGINS)?.map(trimSlash) ?? [],
  });
}

function list(value: string | undefined): string[] | undefined {
  return value?.split(',').map((item) => item.trim()).filter(Boolean);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
