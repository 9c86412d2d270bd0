import type { TokenClaimsMode } from './schemas/control.schemas';

export interface EmulatorOptions {
  /** Default 0: a random free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 'emulator-client-id'. */
  clientId?: string;
  /** Default 'emulator-api-key'. */
  apiKey?: string;
  /** Default 3600. */
  vendorTokenTtlSeconds?: number;
  /** Default 3600. */
  userTokenTtlSeconds?: number;
  /** Fastify's logger; default false. */
  logger?: boolean;
  /**
   * The URL clients call, which is also the token issuer, when it is not the listen address
   * (in a container: http://emulator:3001). Default: derived from host and port.
   */
  publicUrl?: string;
  /** Default 'full'; 'identity-only' leaves `roles` and `permissions` out of user tokens. */
  tokenClaims?: TokenClaimsMode;
  /**
   * The hosted-login client secret the OAuth token endpoint requires (client_secret_post or
   * client_secret_basic). Default '': a public client, PKCE only, no secret checked.
   */
  oauthClientSecret?: string;
  /** Lifetime of access tokens from the hosted-login flow (`/oauth/token`); default 3600. Short ones let refresh be tested. */
  oauthAccessTokenTtlSeconds?: number;
}

export type ResolvedEmulatorOptions = Required<EmulatorOptions>;

export const DEFAULT_EMULATOR_OPTIONS: ResolvedEmulatorOptions = {
  port: 0,
  host: '127.0.0.1',
  clientId: 'emulator-client-id',
  apiKey: 'emulator-api-key',
  vendorTokenTtlSeconds: 3600,
  userTokenTtlSeconds: 3600,
  logger: false,
  publicUrl: '',
  tokenClaims: 'full',
  oauthClientSecret: '',
  oauthAccessTokenTtlSeconds: 3600,
};

/** Defaults for every option left out (or given as undefined). */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedEmulatorOptions {
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  return { ...DEFAULT_EMULATOR_OPTIONS, ...given };
}

/**
 * The URL clients use, which is also the token issuer. A wildcard listen address is not
 * something a client can call, so it is published as the loopback address.
 */
export function publicUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}
