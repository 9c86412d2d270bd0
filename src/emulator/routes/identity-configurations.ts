import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context';
import { SIGNING_ALGORITHM } from '../keys';

const THIRTY_DAYS_S = 30 * 24 * 3600;

/** VendorConfigResponse. The official SDK reads `publicKey` and `jwtAlgorithm` to verify user tokens. */
export function registerConfigurationRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/identity/resources/configurations/v1', async () => ({
    id: 'emulator-vendor-config',
    defaultTokenExpiration: ctx.options.userTokenTtlSeconds,
    defaultRefreshTokenExpiration: THIRTY_DAYS_S,
    publicKey: ctx.keys.currentKey.publicPem,
    cookieSameSite: 'NONE',
    allowSignups: false,
    apiTokensEnabled: false,
    allowOverridePasswordComplexity: false,
    allowOverridePasswordExpiration: false,
    allowOverrideEnforcePasswordHistory: false,
    jwtAlgorithm: SIGNING_ALGORITHM,
    // Tokens are RS256-signed: there is no HMAC secret to share, and the field is required.
    jwtSecret: '',
    allowNotVerifiedUsersLogin: false,
    forcePermissions: false,
    authStrategy: 'EmailAndPassword',
    defaultPasswordlessTokenExpiration: 300,
    forceSameDeviceOnAuth: false,
    allowTenantInvitations: false,
    rotateRefreshTokens: true,
    machineToMachineAuthStrategy: 'ClientCredentials',
    // What the JWT template puts in user tokens (PUT /_emulator/settings { tokenClaims }).
    addRolesToJwt: ctx.tokenClaims === 'full',
    addPermissionsToJwt: ctx.tokenClaims === 'full',
    refreshTokensRotationLimit: 0,
    addSamlAttributesToJwt: false,
    allowCustomLoginTenantSwitch: false,
  }));
}
