import type { EmulatorOptions } from './options';
import { TOKEN_CLAIMS_MODES, type TokenClaimsMode } from './schemas/control.schemas';

export interface EmulatorEnvReading {
  options: EmulatorOptions;
  /** One line per invalid variable, naming it; empty when all is well. */
  problems: string[];
}

const ONE_YEAR_S = 365 * 24 * 3600;

/** The stand-alone emulator's configuration, from EMULATOR_* variables. */
export function emulatorOptionsFromEnv(env: NodeJS.ProcessEnv): EmulatorEnvReading {
  const problems: string[] = [];

  const integer = (name: string, min: number, max: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (/^\d+$/.test(raw) && value >= min && value <= max) return value;
    problems.push(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
    return undefined;
  };

  // Values are not echoed: EMULATOR_API_KEY is a credential, even a local one.
  const text = (name: string): string | undefined => {
    const raw = env[name];
    if (raw === undefined) return undefined;
    if (raw.trim() !== '' && raw === raw.trim()) return raw;
    problems.push(`${name} must be a non-empty value without surrounding spaces`);
    return undefined;
  };

  const url = (name: string): string | undefined => {
    const raw = text(name);
    if (raw === undefined) return undefined;
    if (/^https?:\/\/[^\s/]+\/?$/.test(raw)) return raw;
    problems.push(`${name} must be an http(s) URL of scheme, host and port only`);
    return undefined;
  };

  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name} must be one of ${allowed.join(', ')}, got '${raw}'`);
    return undefined;
  };

  const options: EmulatorOptions = {
    port: integer('EMULATOR_PORT', 0, 65535) ?? 3001,
    host: text('EMULATOR_HOST') ?? '127.0.0.1',
    vendorTokenTtlSeconds: integer('EMULATOR_VENDOR_TOKEN_TTL_S', 1, ONE_YEAR_S),
    clientId: text('EMULATOR_CLIENT_ID'),
    apiKey: text('EMULATOR_API_KEY'),
    publicUrl: url('EMULATOR_PUBLIC_URL'),
    tokenClaims: oneOf<TokenClaimsMode>('EMULATOR_TOKEN_CLAIMS', TOKEN_CLAIMS_MODES),
    oauthClientSecret: text('EMULATOR_OAUTH_CLIENT_SECRET'),
    oauthAccessTokenTtlSeconds: integer('EMULATOR_OAUTH_ACCESS_TOKEN_TTL_S', 1, ONE_YEAR_S),
  };
  return { options, problems };
}
