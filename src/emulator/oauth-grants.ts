import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Authorization codes live 60 s (RFC 6749 §4.1.2 recommends at most 10 minutes; short is safer). */
export const AUTHORIZATION_CODE_TTL_MS = 60_000;

/** What a sign-in through the hosted form grants; carried by its code and then by its refresh tokens. */
export interface Grant {
  clientId: string;
  userId: string;
  tenantId: string;
  /** Sign-in time, in seconds since the epoch. */
  authTime: number;
  scope: string;
  nonce?: string;
}

interface PendingCode extends Grant {
  redirectUri: string;
  codeChallenge: string;
  expiresAt: number;
}

/** One sign-in's chain of rotated refresh tokens (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2). */
interface Family {
  id: string;
  grant: Grant;
  /** The one refresh token that may still be used; the earlier ones are spent. */
  live?: string;
  revoked: boolean;
}

export type Redemption = { ok: true; grant: Grant; familyId: string } | { ok: false; reason: string };

const opaque = () => randomBytes(32).toString('base64url');

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** RFC 7636 §4.1: 43 to 128 characters of [A-Z a-z 0-9 - . _ ~]. */
export const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * The hosted-login flow's server-side state: authorization codes (single use, bound to the client,
 * the redirect URI and the PKCE challenge) and refresh-token families with rotation and reuse
 * detection. A spent code or refresh token presented again revokes what was issued from it.
 */
export class OAuthGrants {
  private readonly codes = new Map<string, PendingCode>();
  /** Codes already exchanged, to their family: a replayed code revokes the tokens it gave (RFC 6749 §4.1.2). */
  private readonly redeemedCodes = new Map<string, string>();
  private readonly families = new Map<string, Family>();
  /** Every refresh token ever issued (live or spent), to its family. */
  private readonly refreshTokens = new Map<string, string>();

  issueCode(pending: Omit<PendingCode, 'expiresAt'>): string {
    // Abandoned sign-ins leave codes behind: drop the expired ones so the map stays small.
    const now = Date.now();
    for (const [code, waiting] of this.codes) if (waiting.expiresAt <= now) this.codes.delete(code);
    const code = opaque();
    this.codes.set(code, { ...pending, expiresAt: Date.now() + AUTHORIZATION_CODE_TTL_MS });
    return code;
  }

  /** Any attempt spends the code, a failed one too, so a code cannot be guessed against its verifier. */
  redeemCode(code: string, clientId: string, redirectUri: string | undefined, codeVerifier: string | undefined): Redemption {
    const replayedFamily = this.redeemedCodes.get(code);
    if (replayedFamily !== undefined) {
      this.revokeFamily(replayedFamily);
      return { ok: false, reason: 'the authorization code was already used; the tokens it gave are revoked' };
    }
    const pending = this.codes.get(code);
    if (!pending) return { ok: false, reason: 'unknown authorization code' };
    this.codes.delete(code);
    if (pending.expiresAt <= Date.now()) return { ok: false, reason: 'the authorization code has expired' };
    if (pending.clientId !== clientId) return { ok: false, reason: 'the authorization code was issued to another client' };
    if (pending.redirectUri !== redirectUri) return { ok: false, reason: 'redirect_uri does not match the authorization request' };
    if (codeVerifier === undefined || !CODE_VERIFIER.test(codeVerifier)) return { ok: false, reason: 'code_verifier is missing or malformed' };
    if (s256(codeVerifier) !== pending.codeChallenge) return { ok: false, reason: 'code_verifier does not match the code_challenge' };

    const { redirectUri: _redirectUri, codeChallenge: _challenge, expiresAt: _expiresAt, ...grant } = pending;
    const family: Family = { id: randomUUID(), grant, revoked: false };
    this.families.set(family.id, family);
    this.redeemedCodes.set(code, family.id);
    return { ok: true, grant, familyId: family.id };
  }

  /** A new refresh token for the family; the previous one is spent from now on. */
  rotate(familyId: string): string {
    const family = this.families.get(familyId);
    if (!family || family.revoked) throw new Error(`refresh-token family ${familyId} is not live`);
    const token = opaque();
    family.live = token;
    this.refreshTokens.set(token, familyId);
    return token;
  }

  /** The refresh token's grant, once: a spent token revokes its whole family (reuse detection). */
  useRefreshToken(token: string, clientId: string): Redemption {
    const familyId = this.refreshTokens.get(token);
    const family = familyId === undefined ? undefined : this.families.get(familyId);
    if (!family) return { ok: false, reason: 'unknown refresh token' };
    if (family.grant.clientId !== clientId) return { ok: false, reason: 'the refresh token was issued to another client' };
    if (family.revoked) return { ok: false, reason: 'the refresh token has been revoked' };
    if (family.live !== token) {
      this.revokeFamily(family.id);
      return { ok: false, reason: 'the refresh token was already used; every token of its sign-in is revoked' };
    }
    family.live = undefined;
    return { ok: true, grant: family.grant, familyId: family.id };
  }

  /** The user's active tenant changed: every live sign-in of the user refreshes into the new tenant. */
  switchTenant(userId: string, tenantId: string): void {
    for (const family of this.families.values()) {
      if (family.grant.userId === userId) family.grant = { ...family.grant, tenantId };
    }
  }

  revokeFamily(familyId: string): void {
    const family = this.families.get(familyId);
    if (family) family.revoked = true;
  }

  /** Logout (or the revoke control): every sign-in of the user, or of everyone, through the hosted flow ends. Answers how many were live. */
  revokeUser(userId?: string): number {
    let revoked = 0;
    for (const family of this.families.values()) {
      if ((userId !== undefined && family.grant.userId !== userId) || family.revoked) continue;
      family.revoked = true;
      revoked++;
    }
    return revoked;
  }
}
