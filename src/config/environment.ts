import { Type, plainToInstance } from 'class-transformer';
import { IsBooleanString, IsIn, IsInt, IsOptional, IsUrl, Matches, Max, Min, validateSync } from 'class-validator';

export const FRONTEGG_REGIONS = {
  eu: 'https://api.frontegg.com',
  us: 'https://api.us.frontegg.com',
  ca: 'https://api.ca.frontegg.com',
  au: 'https://api.au.frontegg.com',
} as const;
export type FronteggRegion = keyof typeof FRONTEGG_REGIONS;

/** Asymmetric JWS algorithms only: an HMAC algorithm would let a public key serve as a secret. */
export const SUPPORTED_JWT_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA',
] as const;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** JSON lines for machines (the default); one readable line per event for a person at a terminal (local mode's default there). */
export const LOG_FORMATS = ['json', 'pretty'] as const;

/** Where a caller's roles and permissions come from (CONTRACT §3). */
export const AUTHZ_SOURCES = ['token', 'live'] as const;
export type AuthzSource = (typeof AUTHZ_SOURCES)[number];

const URL_LIST = /^\s*[a-z][a-z0-9+.-]*:\/\/[^\s,]+(\s*,\s*[a-z][a-z0-9+.-]*:\/\/[^\s,]+)*\s*$/i;
const VALUE_LIST = /^\s*[^\s,]+(\s*,\s*[^\s,]+)*\s*$/;

// Messages name the variable ($property) and never its value, so no secret reaches the output.
function OptionalInteger(min: number, max: number): PropertyDecorator {
  const message = `$property must be an integer from ${min} to ${max}`;
  return (target, key) => {
    for (const decorate of [IsOptional(), Type(() => Number), IsInt({ message }), Min(min, { message }), Max(max, { message })]) {
      decorate(target, key);
    }
  };
}

function OptionalUrl(protocols = ['http', 'https']): PropertyDecorator {
  const message = `$property must be a ${protocols.join(' or ')} URL`;
  return (target, key) => {
    IsOptional()(target, key);
    IsUrl({ require_tld: false, require_protocol: true, require_valid_protocol: true, protocols }, { message })(target, key);
  };
}

function OptionalMatching(pattern: RegExp, description: string): PropertyDecorator {
  return (target, key) => {
    IsOptional()(target, key);
    Matches(pattern, { message: `$property must be ${description}` })(target, key);
  };
}

function OptionalOneOf(values: readonly string[]): PropertyDecorator {
  return (target, key) => {
    IsOptional()(target, key);
    IsIn(values, { message: `$property must be one of ${values.join(', ')}` })(target, key);
  };
}

/** The environment as CONTRACT §1 names it, validated once at start. */
export class EnvironmentVariables {
  @OptionalInteger(0, 65535) PORT?: number;
  @OptionalMatching(/^\S+$/, 'an address') HOST?: string;
  @OptionalOneOf(Object.keys(FRONTEGG_REGIONS)) FRONTEGG_REGION?: FronteggRegion;
  @OptionalUrl() FRONTEGG_API_URL?: string;
  @OptionalMatching(/^\S{1,256}$/, 'a value without spaces') FRONTEGG_CLIENT_ID?: string;
  @OptionalMatching(/^\S{1,1024}$/, 'a value without spaces') FRONTEGG_API_KEY?: string;
  @OptionalUrl() FRONTEGG_APP_URL?: string;
  @OptionalUrl() FRONTEGG_JWKS_URL?: string;
  @OptionalMatching(URL_LIST, 'a comma-separated list of URLs') FRONTEGG_ISSUERS?: string;
  @OptionalMatching(VALUE_LIST, 'a comma-separated list') FRONTEGG_AUDIENCE?: string;
  @OptionalMatching(VALUE_LIST, 'a comma-separated list') FRONTEGG_JWT_ALGORITHMS?: string;
  @IsOptional() @IsBooleanString({ message: '$property must be true or false' }) FRONTEGG_ALLOW_HTTP?: string;
  @OptionalInteger(0, 300) JWT_CLOCK_TOLERANCE_S?: number;
  @OptionalInteger(1, 86400) STEP_UP_MAX_AGE_S?: number;
  @OptionalOneOf(AUTHZ_SOURCES) AUTHZ_SOURCE?: AuthzSource;
  @OptionalInteger(0, 86400) AUTHZ_CACHE_TTL_S?: number;
  @OptionalInteger(0, 86400) ROLES_CACHE_TTL_S?: number;
  @OptionalOneOf(['on', 'off']) ENTITLEMENTS?: 'on' | 'off';
  @OptionalInteger(1, 86400) ENTITLEMENTS_REFRESH_S?: number;
  @OptionalInteger(1, 120000) UPSTREAM_TIMEOUT_MS?: number;
  @OptionalInteger(1024, 64 * 1024 * 1024) UPSTREAM_MAX_RESPONSE_BYTES?: number;
  @OptionalInteger(1, 300_000) REQUEST_DEADLINE_MS?: number;
  @OptionalInteger(1, 1_000_000) RATE_LIMIT_PER_MINUTE?: number;
  @OptionalInteger(0, 600_000) SHUTDOWN_TIMEOUT_MS?: number;
  @OptionalInteger(0, 10) TRUST_PROXY?: number;
  @OptionalUrl(['redis', 'rediss']) REDIS_URL?: string;
  @OptionalInteger(1, 60_000) REDIS_COMMAND_TIMEOUT_MS?: number;
  @OptionalMatching(/^\S{16,}$/, 'at least 16 characters without spaces') METRICS_TOKEN?: string;
  @OptionalMatching(URL_LIST, 'a comma-separated list of origins (scheme://host[:port])') CORS_ORIGINS?: string;
  @OptionalMatching(/^\S+$/, 'a single word') NODE_ENV?: string;
  @OptionalOneOf(LOG_LEVELS) LOG_LEVEL?: (typeof LOG_LEVELS)[number];
  @OptionalOneOf(LOG_FORMATS) LOG_FORMAT?: (typeof LOG_FORMATS)[number];
  // Browser sessions (CONTRACT §8)
  @OptionalOneOf(['on', 'off']) SESSIONS?: 'on' | 'off';
  @OptionalUrl() PUBLIC_URL?: string;
  @OptionalMatching(/^\S{1,256}$/, 'a value without spaces') FRONTEGG_OAUTH_CLIENT_ID?: string;
  @OptionalMatching(/^\S{1,1024}$/, 'a value without spaces') FRONTEGG_OAUTH_CLIENT_SECRET?: string;
  @OptionalInteger(1, 7 * 86400) SESSION_IDLE_TIMEOUT_S?: number;
  @OptionalInteger(1, 30 * 86400) SESSION_MAX_AGE_S?: number;
}

const VARIABLE_NAMES: ReadonlyArray<keyof EnvironmentVariables> = [
  'PORT', 'HOST', 'FRONTEGG_REGION', 'FRONTEGG_API_URL', 'FRONTEGG_CLIENT_ID', 'FRONTEGG_API_KEY',
  'FRONTEGG_APP_URL', 'FRONTEGG_JWKS_URL', 'FRONTEGG_ISSUERS', 'FRONTEGG_AUDIENCE', 'FRONTEGG_JWT_ALGORITHMS',
  'FRONTEGG_ALLOW_HTTP', 'JWT_CLOCK_TOLERANCE_S', 'STEP_UP_MAX_AGE_S', 'AUTHZ_SOURCE', 'AUTHZ_CACHE_TTL_S', 'ROLES_CACHE_TTL_S',
  'ENTITLEMENTS', 'ENTITLEMENTS_REFRESH_S', 'UPSTREAM_TIMEOUT_MS',
  'UPSTREAM_MAX_RESPONSE_BYTES', 'REQUEST_DEADLINE_MS', 'RATE_LIMIT_PER_MINUTE', 'SHUTDOWN_TIMEOUT_MS', 'TRUST_PROXY', 'REDIS_URL',
  'REDIS_COMMAND_TIMEOUT_MS', 'METRICS_TOKEN', 'CORS_ORIGINS', 'NODE_ENV', 'LOG_LEVEL', 'LOG_FORMAT',
  'SESSIONS', 'PUBLIC_URL', 'FRONTEGG_OAUTH_CLIENT_ID', 'FRONTEGG_OAUTH_CLIENT_SECRET', 'SESSION_IDLE_TIMEOUT_S', 'SESSION_MAX_AGE_S',
];

/** Validates the raw variables: the typed values, and one message per invalid variable. */
export function validateEnvironment(env: NodeJS.ProcessEnv): { values: EnvironmentVariables; problems: string[] } {
  const present = Object.fromEntries(VARIABLE_NAMES.map((name) => [name, blankToUndefined(env[name])]));
  const values = plainToInstance(EnvironmentVariables, present);
  const problems = validateSync(values).map((error) => Object.values(error.constraints ?? {})[0]).filter(Boolean);
  return { values, problems };
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
