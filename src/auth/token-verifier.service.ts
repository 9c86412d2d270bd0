import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { GatewayConfig } from '../config/gateway-config';
import { TOKEN_TYPES, type Principal, type TokenType } from './principal';

export type RejectionReason = 'expired' | 'invalid';

export class TokenRejectedError extends Error {
  constructor(readonly reason: RejectionReason, why: string) {
    super(why);
    this.name = 'TokenRejectedError';
  }
}

/** An unknown `kid` refetches the JWKS at most once per this period (CONTRACT §2). */
export const JWKS_REFETCH_COOLDOWN_MS = 30_000;
/** Keys are also refreshed in the background, so retired keys stop working without a restart. */
const JWKS_BACKGROUND_REFRESH_MS = 10 * 60_000;
/** Header parameters that would let a token choose its own verification key (RFC 8725 §3.10). */
const KEY_BEARING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;
const MAX_TOKEN_LENGTH = 8192;

/**
 * Verifies Frontegg access tokens against the environment's JWKS. Keys are fetched once, imported
 * once (jose caches each imported key), refetched for an unknown `kid` at most once per cooldown,
 * and never expire from the cache on their own: when the JWKS endpoint is down, the keys already
 * known keep working, and an unknown key fails closed.
 */
@Injectable()
export class TokenVerifier implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TokenVerifier.name);
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;
  private refreshTimer?: NodeJS.Timeout;

  constructor(private readonly config: GatewayConfig) {
    this.keys = createRemoteJWKSet(new URL(config.frontegg.jwksUrl), {
      cooldownDuration: JWKS_REFETCH_COOLDOWN_MS,
      cacheMaxAge: Number.POSITIVE_INFINITY,
      timeoutDuration: config.upstreamTimeoutMs,
    });
  }

  onModuleInit(): void {
    this.refreshTimer = setInterval(() => void this.refreshKeys(), JWKS_BACKGROUND_REFRESH_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.refreshTimer);
  }

  async verify(token: string): Promise<Principal> {
    if (token.length > MAX_TOKEN_LENGTH) throw new TokenRejectedError('invalid', 'token too long');
    this.checkProtectedHeader(token);
    const { frontegg, jwtClockToleranceS } = this.config;
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        algorithms: frontegg.algorithms,
        issuer: frontegg.issuers,
        audience: frontegg.audiences.length > 0 ? frontegg.audiences : undefined,
        clockTolerance: jwtClockToleranceS,
        requiredClaims: ['exp'],
      });
      return principalFrom(payload);
    } catch (error) {
      if (error instanceof TokenRejectedError) throw error;
      if (error instanceof errors.JWTExpired) throw new TokenRejectedError('expired', 'token expired');
      throw new TokenRejectedError('invalid', error instanceof Error ? `${error.name}: ${error.message}` : 'verification failed');
    }
  }

  /** True when signing keys are at hand, fetched now or earlier (for readiness). */
  async hasSigningKeys(): Promise<boolean> {
    if ((this.keys.jwks()?.keys.length ?? 0) > 0) return true;
    await this.refreshKeys();
    return (this.keys.jwks()?.keys.length ?? 0) > 0;
  }

  private async refreshKeys(): Promise<void> {
    try {
      await this.keys.reload();
    } catch (error) {
      this.logger.warn({ err: error }, 'JWKS refresh failed; keeping the keys already fetched');
    }
  }

  private checkProtectedHeader(token: string): void {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new TokenRejectedError('invalid', 'malformed token');
    }
    if (typeof header.kid !== 'string' || header.kid.length === 0 || header.kid.length > 256) {
      throw new TokenRejectedError('invalid', 'token has no usable kid');
    }
    const carried = KEY_BEARING_HEADERS.filter((name) => name in header);
    if (carried.length > 0) throw new TokenRejectedError('invalid', `token carries its own key (${carried.join(', ')})`);
  }
}

function principalFrom(claims: JWTPayload): Principal {
  const type = claims.type;
  if (!TOKEN_TYPES.includes(type as TokenType)) throw new TokenRejectedError('invalid', 'unsupported token type');
  const userId = type === 'userApiToken' ? claims.userId : claims.sub;
  const tenantId = claims.tenantId;
  if (!isNonEmptyString(userId)) throw new TokenRejectedError('invalid', 'token has no user id');
  if (!isNonEmptyString(tenantId)) throw new TokenRejectedError('invalid', 'token has no tenantId');
  return {
    userId,
    tenantId,
    tenantIds: stringsOf(claims.tenantIds, 'tenantIds') ?? [tenantId],
    roles: stringsOf(claims.roles, 'roles') ?? [],
    permissions: stringsOf(claims.permissions, 'permissions') ?? [],
    type: type as TokenType,
    email: typeof claims.email === 'string' ? claims.email : undefined,
    authTime: typeof claims.auth_time === 'number' ? claims.auth_time : undefined,
  };
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function stringsOf(value: unknown, claim: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw new TokenRejectedError('invalid', `claim ${claim} must be a list of strings`);
}
