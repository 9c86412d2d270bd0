/**
 * The Frontegg identity emulator: a local stand-in for the parts of Frontegg's
 * management API the gateway uses, plus test controls under `/_emulator`.
 */
import { EmulatorContext } from './context';
import { buildEmulatorApp } from './emulator';
import { publicUrl, resolveOptions, type EmulatorOptions } from './options';
import { OIDC_DISCOVERY_PATH } from './routes/hosted-login';
import { PASSWORD_GRANT_TOKEN_PATH } from './schemas/control.schemas';
import { seedUserSignIns, type SeedUserSignIn } from './seed';

export type { EmulatorOptions } from './options';

export interface RunningEmulator {
  /** The API base and also the login domain and token issuer, e.g. http://127.0.0.1:41234. */
  url: string;
  /** The `iss` of user tokens (= url). */
  issuer: string;
  /** The `aud` of user tokens (= clientId). */
  audience: string;
  clientId: string;
  apiKey: string;
  users: SeedUserSignIn[];
  /** The OAuth 2.0 password-grant token endpoint for the gateway's docs page (local mode; not Frontegg's). */
  passwordGrantTokenUrl: string;
  /** OpenID discovery of the hosted login (Frontegg's `${FRONTEGG_APP_URL}/.well-known/openid-configuration`). */
  openIdConfigurationUrl: string;
  /** The gateway's FRONTEGG_* settings that point it at this emulator (local mode, tests, benchmarks). */
  gatewayEnvironment: Readonly<Record<'FRONTEGG_API_URL' | 'FRONTEGG_APP_URL' | 'FRONTEGG_CLIENT_ID' | 'FRONTEGG_API_KEY' | 'FRONTEGG_AUDIENCE', string>>;
  close(): Promise<void>;
}

export async function startEmulator(options?: EmulatorOptions): Promise<RunningEmulator> {
  const resolved = resolveOptions(options);
  const ctx = await EmulatorContext.create(resolved);
  const app = buildEmulatorApp(ctx);
  await app.listen({ port: resolved.port, host: resolved.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : resolved.port;
  const url = resolved.publicUrl.replace(/\/+$/, '') || publicUrl(resolved.host, port);
  ctx.issuer = url;
  return {
    url,
    issuer: url,
    audience: resolved.clientId,
    clientId: resolved.clientId,
    apiKey: resolved.apiKey,
    users: seedUserSignIns(),
    passwordGrantTokenUrl: `${url}${PASSWORD_GRANT_TOKEN_PATH}`,
    openIdConfigurationUrl: `${url}${OIDC_DISCOVERY_PATH}`,
    gatewayEnvironment: {
      FRONTEGG_API_URL: url,
      FRONTEGG_APP_URL: url,
      FRONTEGG_CLIENT_ID: resolved.clientId,
      FRONTEGG_API_KEY: resolved.apiKey,
      FRONTEGG_AUDIENCE: resolved.clientId,
    },
    close: () => app.close(),
  };
}

export { EmulatorControlClient, type EmulatorCredentials } from './control-client';
export type {
  EmulatorSettings,
  EntitlementsChanged,
  FaultSpec,
  GrantPlanRequest,
  MintedToken,
  MintTokenRequest,
  PasswordGrantError,
  PasswordGrantToken,
  RecordedRequest,
  RevokeOAuthRequest,
  RevokeOAuthResult,
  RotateKeyResult,
  SignWith,
  TokenClaimsMode,
} from './schemas/control.schemas';
export * from './seed';
