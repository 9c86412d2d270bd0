import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { CLIENT_ID, READ_ROLES, type BenchUser } from './fixtures';

/** The signing key of the benchmark's Frontegg environment: private here, public at the stand-in. */
export interface SigningKeys {
  kid: string;
  privateKey: KeyObject;
  /** Public JWK with kid, alg and use, as the JWKS publishes it. */
  publicJwk: Record<string, unknown>;
  /** SPKI PEM, as `GET /identity/resources/configurations/v1` answers it (the official SDK reads it). */
  publicPem: string;
}

export function createSigningKeys(): SigningKeys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = createHash('sha256').update(String(jwk.n)).digest('base64url').slice(0, 22);
  return {
    kid,
    privateKey,
    publicJwk: { ...jwk, kid, alg: 'RS256', use: 'sig' },
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An RS256 JWT, signed directly with node:crypto (what any JOSE library produces). */
export function signJwt(keys: SigningKeys, claims: object): string {
  const input = `${base64url({ alg: 'RS256', typ: 'JWT', kid: keys.kid })}.${base64url(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), keys.privateKey).toString('base64url')}`;
}

/** A Frontegg user access token as the login box issues it, valid for two hours. */
export function userAccessToken(keys: SigningKeys, issuer: string, user: BenchUser): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(keys, {
    sub: user.id,
    name: user.name,
    email: user.email,
    email_verified: true,
    metadata: {},
    roles: user.roleKeys,
    permissions: [READ_ROLES, 'fe.secure.read.users', 'app.invoices.read'],
    tenantId: user.tenantId,
    tenantIds: user.tenantIds,
    profilePictureUrl: 'https://www.gravatar.com/avatar/00000000000000000000000000000000?d=mp',
    sid: `sid-${user.id}`,
    type: 'userToken',
    applicationId: 'app-bench',
    aud: CLIENT_ID,
    iss: issuer,
    iat: now,
    exp: now + 7200,
    auth_time: now,
  });
}
