import type { RoleLevel } from '../identity/role-level';

/** A role the caller holds in its tenant, as the identity API knows it: by id, with its level. */
export interface HeldRole {
  readonly id: string;
  readonly key: string;
  /** `null`: the upstream gave no finite level; such a role gives its holder no level (role-level.ts). */
  readonly level: RoleLevel;
}

/** What a caller may do in its tenant: from the token's claims, or resolved from the identity API. */
export interface Grants {
  /** Permission keys; wildcard grants (`fe.secure.*`) included as written. */
  readonly permissions: readonly string[];
  /** Role keys, as a token names them. */
  readonly roleKeys: readonly string[];
  /**
   * The roles held in the tenant by id, with their levels: present only when resolved from the
   * identity API. Level rules use these, never keys (a key can be reused by another tenant's role).
   */
  readonly roles?: readonly HeldRole[];
}

export const TOKEN_TYPES = ['userToken', 'userApiToken'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** Who is calling, taken from the verified access token alone (never from request headers). */
export interface Principal {
  readonly userId: string;
  /** The active tenant: the only tenant this request may act on. */
  readonly tenantId: string;
  readonly tenantIds: readonly string[];
  /**
   * The token's `roles` and `permissions` claims; undefined when it carries neither (Frontegg's
   * token templates may leave both out), and then the authorization layer resolves them.
   */
  readonly claimedGrants?: Grants;
  readonly type: TokenType;
  readonly email?: string;
  /** When the user last signed in (seconds since the epoch), for step-up checks. */
  readonly authTime?: number;
  /** The verified token's claims: the `jwt.*` and `frontegg.*` attributes of entitlement rules (CONTRACT §4.5). */
  readonly claims?: Readonly<Record<string, unknown>>;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** Why the credential was refused, when it was: the policy guard answers it (see authentication.guard.ts). */
    authenticationFailure?: Error;
    /** For a token verified just now: remembers it; the rate limiter calls it once the request may go on. */
    rememberCredential?: () => void;
  }
}

export function attachPrincipal(request: { principal?: Principal }, principal: Principal): void {
  request.principal = principal;
}
