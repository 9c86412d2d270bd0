import { randomUUID } from 'node:crypto';
import { base64url, SignJWT, type JWTHeaderParameters } from 'jose';
import { badRequest } from './errors';
import { SIGNING_ALGORITHM, type SigningKeyRing } from './keys';
import type { UserRecord } from './model';
import type { MintedToken, SignWith, TokenClaimsMode } from './schemas/control.schemas';
import type { IdentityStore } from './state';
import { isMemberOf, permissionsOfRoles, rolesInTenant } from './users';

type JsonObject = Record<string, unknown>;

export interface UserTokenRequest {
  user: UserRecord;
  /** The active tenant; the user's default when absent. */
  tenantId?: string;
  ttlSeconds: number;
  /** Sign-in time, in seconds since the epoch. */
  authTime: number;
  /** Merged over the computed claims; null removes a claim. */
  claims?: JsonObject;
  /** Merged into the protected header; null removes a parameter. */
  header?: JsonObject;
  signWith?: SignWith;
}

export const nowInSeconds = () => Math.floor(Date.now() / 1000);

function mergeRemovingNulls(base: JsonObject, overrides: JsonObject = {}): JsonObject {
  const merged = { ...base, ...overrides };
  for (const [name, value] of Object.entries(overrides)) if (value === null) delete merged[name];
  return merged;
}

/** An `alg: none` token: header and payload, and an empty signature. */
function unsecuredToken(header: JsonObject, claims: JsonObject): string {
  const encode = (part: JsonObject) => base64url.encode(JSON.stringify(part));
  return `${encode(header)}.${encode(claims)}.`;
}

/**
 * Signs user tokens the way Frontegg shapes them, plus the broken variants a verifier
 * must refuse. The issuer is read when signing because it is only known once the
 * server listens (port 0 picks the port).
 */
export class UserTokenIssuer {
  constructor(
    private readonly store: IdentityStore,
    private readonly keys: SigningKeyRing,
    private readonly audience: string,
    private readonly issuer: () => string,
    /** Read when signing: a settings change applies to the next token. */
    private readonly claimsMode: () => TokenClaimsMode = () => 'full',
  ) {}

  async issue(request: UserTokenRequest): Promise<MintedToken> {
    const claims = mergeRemovingNulls(this.computeClaims(request), request.claims);
    const token = await this.sign(claims, request.header, request.signWith ?? 'current');
    return { token, claims };
  }

  private computeClaims({ user, tenantId = user.defaultTenantId, ttlSeconds, authTime }: UserTokenRequest): JsonObject {
    if (!isMemberOf(user, tenantId)) {
      throw badRequest(
        `User ${user.id} is not a member of tenant ${tenantId}; forge a foreign tenantId through claims`,
      );
    }
    const roles = rolesInTenant(this.store, user, tenantId);
    const issuedAt = nowInSeconds();
    // A template without roles and permissions leaves both claims out, not empty.
    const authorization =
      this.claimsMode() === 'identity-only'
        ? {}
        : {
            roles: roles.map((role) => role.key),
            permissions: permissionsOfRoles(this.store, roles).map((permission) => permission.key),
          };
    return {
      sub: user.id,
      email: user.email,
      name: user.name,
      tenantId,
      tenantIds: user.tenants.map((membership) => membership.tenantId),
      ...authorization,
      type: 'userToken',
      sid: randomUUID(),
      iss: this.issuer(),
      aud: this.audience,
      iat: issuedAt,
      exp: issuedAt + ttlSeconds,
      auth_time: authTime,
    };
  }

  private async sign(claims: JsonObject, headerOverrides: JsonObject | undefined, signWith: SignWith): Promise<string> {
    if (headerOverrides && 'alg' in headerOverrides) {
      throw badRequest('header.alg cannot be set: choose the algorithm with signWith');
    }
    const current = this.keys.currentKey;
    // 'foreign' keeps the current kid on purpose: the token must fail on its signature, not on key lookup.
    const header = (alg: string) =>
      mergeRemovingNulls({ alg, kid: current.kid, typ: 'JWT' }, headerOverrides) as JWTHeaderParameters;
    switch (signWith) {
      case 'current':
        return new SignJWT(claims).setProtectedHeader(header(SIGNING_ALGORITHM)).sign(current.privateKey);
      case 'foreign': {
        const foreign = await this.keys.foreignKey();
        return new SignJWT(claims).setProtectedHeader(header(SIGNING_ALGORITHM)).sign(foreign.privateKey);
      }
      case 'hs256-public-key':
        // The key-confusion attack: an HMAC keyed with the public key's PEM text, which anyone can read.
        return new SignJWT(claims)
          .setProtectedHeader(header('HS256'))
          .sign(new TextEncoder().encode(current.publicPem));
      case 'none':
        return unsecuredToken(header('none'), claims);
    }
  }
}
