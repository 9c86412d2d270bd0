export const TOKEN_TYPES = ['userToken', 'userApiToken'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** Who is calling, taken from the verified access token alone (never from request headers). */
export interface Principal {
  readonly userId: string;
  /** The active tenant: the only tenant this request may act on. */
  readonly tenantId: string;
  readonly tenantIds: readonly string[];
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
  readonly type: TokenType;
  readonly email?: string;
  /** When the user last signed in (seconds since the epoch), for step-up checks. */
  readonly authTime?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function attachPrincipal(request: { principal?: Principal }, principal: Principal): void {
  request.principal = principal;
}
