import { Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  type ProtectedHeaderParameters,
} from 'jose';
import { GatewayConfig } from '../config/gateway-config';
import { Metrics } from '../metrics/metrics.service';
import { TOKEN_TYPES, type Principal, type TokenType } from './principal';
import { readBoundedText } from '../common/http/bounded-body';
import { tokenDigest, VERIFIED_TOKEN_MAX_AGE_MS, VerifiedTokens } from './verified-tokens';

/** RFC 6750 §2.1's b64token: what a bearer token may be made of. */
const BEARER_TOKEN_SYNTAX = /^[A-Za-z0-9._~+/-]+=*$/;

export type RejectionReason = 'expired' | 'invalid';

export class TokenRejectedError extends Error {
  constructor(readonly reason: RejectionReason, why: string) {
    super(why);
    this.name = 'TokenRejectedError';
  }
}

/**
 * The JWKS is fetched at most once per this period on behalf of requests (an unknown `kid`, no
 * keys yet, a readiness probe), whether the attempt succeeds or fails (CONTRACT §2).
 */
export const JWKS_REFETCH_COOLDOWN_MS = 30_000;
/** Keys are also refreshed in the background, so retired keys stop working without a restart. */
const JWKS_BACKGROUND_REFRESH_MS = 10 * 60_000;
/** Header parameters that would let a token choose its own verification key (RFC 8725 §3.10). */
const KEY_BEARING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;
/** Header parameters Frontegg never uses that change how a JWS is processed (RFC 7515 §4.1.11, RFC 7797). */
const PROCESSING_HEADERS = ['crit', 'b64', 'zip', 'enc'] as const;
/** `typ` values of a plain JWT (RFC 7519 §5.1); an absent `typ` is accepted too. */
const JWT_TYPES = ['jwt', 'application/jwt'];
/** Far more than any Frontegg access token; verification work is bounded before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;
const MAX_KID_LENGTH = 256;

/** A verified token's caller, and how to remember the token once its request may go on. */
export interface Verification {
  readonly principal: Principal;
  /**
   * Remembers the token as verified, so that its next requests skip the signature check; absent
   * when it already is. Called by the rate limiter once the request is counted and let through,
   * so that a caller over its limit cannot fill the memory with new tokens.
   */
  readonly remember?: () => void;
}

/**
 * Verifies Frontegg access tokens against the environment's JWKS. The header is checked before
 * anything else (algorithm allowlist, `kid`, no key or processing instruction carried in the
 * token), so a forged token never causes a key lookup. Keys are fetched once, imported once,
 * and never expire from the cache on their own: when the JWKS endpoint is down, the keys already
 * known keep working, and an unknown key fails closed. Every fetch made on behalf of requests goes
 * through one gate, at most one attempt per cooldown, success or failure, shared by concurrent
 * callers: a flood of unknown `kid`s cannot turn into a flood of JWKS requests, even while the
 * endpoint is down (jose's remote set would retry a failed fetch for every request).
 */
@Injectable()
export class TokenVerifier implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TokenVerifier.name);
  private readonly jwksUrl: URL;
  private keySet?: ReturnType<typeof createLocalJWKSet>;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private pendingFetch?: Promise<boolean>;
  private refreshTimer?: NodeJS.Timeout;
  /** A hit skips the signature check, the costliest part of a request; never past the token's `exp`. */
  private readonly verified = new VerifiedTokens();

  constructor(
    private readonly config: GatewayConfig,
    @Optional() private readonly metrics?: Metrics,
  ) {
    this.jwksUrl = new URL(config.frontegg.jwksUrl);
  }

  onModuleInit(): void {
    this.refreshTimer = setInterval(() => void this.refreshKeys({ force: true }), JWKS_BACKGROUND_REFRESH_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.refreshTimer);
  }

  async verify(token: string): Promise<Verification> {
    if (token.length > MAX_TOKEN_LENGTH) throw new TokenRejectedError('invalid', 'token too long');
    const digest = tokenDigest(token);
    const known = this.verified.principalOf(digest);
    if (known) return { principal: known };
    // Checked here rather than where the header is read: a remembered token was checked when it was verified.
    if (!BEARER_TOKEN_SYNTAX.test(token)) throw new TokenRejectedError('invalid', 'malformed bearer token');
    this.checkProtectedHeader(token);
    const { frontegg, jwtClockToleranceS } = this.config;
    try {
      const { payload } = await jwtVerify(token, this.resolveKey, {
        algorithms: frontegg.algorithms,
        issuer: frontegg.issuers,
        audience: frontegg.audiences.length > 0 ? frontegg.audiences : undefined,
        clockTolerance: jwtClockToleranceS,
        requiredClaims: ['exp'],
      });
      checkTimesNotInFuture(payload, jwtClockToleranceS);
      const principal = principalFrom(payload);
      const until = Math.min((payload.exp as number) * 1000, Date.now() + VERIFIED_TOKEN_MAX_AGE_MS);
      return { principal, remember: () => this.verified.remember(digest, principal, until) };
    } catch (error) {
      if (error instanceof TokenRejectedError) throw error;
      if (error instanceof errors.JWTExpired) throw new TokenRejectedError('expired', 'token expired');
      throw new TokenRejectedError('invalid', error instanceof Error ? `${error.name}: ${error.message}` : 'verification failed');
    }
  }

  /** True when signing keys are at hand, fetched now or earlier (for readiness; the fetch is gated too). */
  async hasSigningKeys(): Promise<boolean> {
    if (this.knownKeyCount() > 0) return true;
    await this.refreshKeys();
    return this.knownKeyCount() > 0;
  }

  /** jose's key lookup: the cached set, refetched through the gate when the `kid` is unknown. */
  private readonly resolveKey: JWTVerifyGetKey = async (header, token) => {
    if (!this.keySet) await this.refreshKeys();
    const keySet = this.keySet;
    if (!keySet) throw new TokenRejectedError('invalid', 'no signing keys available');
    try {
      return await keySet(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      if (!(await this.refreshKeys()) || !this.keySet) throw error;
      return this.keySet(header, token);
    }
  };

  /**
   * Fetches the JWKS unless an attempt was made within the cooldown (`force`: the background
   * refresh). Concurrent callers share one attempt. True when this call saw a successful fetch.
   */
  private refreshKeys({ force = false } = {}): Promise<boolean> {
    if (this.pendingFetch) return this.pendingFetch;
    if (!force && Date.now() < this.lastAttemptAt + JWKS_REFETCH_COOLDOWN_MS) return Promise.resolve(false);
    this.lastAttemptAt = Date.now();
    const attempt = this.fetchKeys()
      .then(() => {
        this.metrics?.jwksFetches.inc({ outcome: 'fetched' });
        return true;
      })
      .catch((error: unknown) => {
        this.metrics?.jwksFetches.inc({ outcome: 'failed' });
        this.logger.warn({ err: error }, 'JWKS refresh failed; keeping the keys already fetched');
        return false;
      })
      .finally(() => {
        if (this.pendingFetch === attempt) this.pendingFetch = undefined;
      });
    this.pendingFetch = attempt;
    return attempt;
  }

  private async fetchKeys(): Promise<void> {
    const response = await fetch(this.jwksUrl, {
      method: 'GET',
      // A redirect could hand key selection to another host: a 3xx is a failure.
      redirect: 'manual',
      headers: { accept: 'application/json, application/jwk-set+json', 'user-agent': 'frontegg-identity-gateway' },
      signal: AbortSignal.timeout(this.config.upstreamTimeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`JWKS endpoint answered ${response.status}`);
    }
    // Bounded like every upstream answer (UPSTREAM_MAX_RESPONSE_BYTES): a huge one is never buffered whole.
    const jwks = JSON.parse(await readBoundedText(response, this.config.upstreamMaxResponseBytes)) as JSONWebKeySet;
    // createLocalJWKSet validates the shape; a malformed set keeps the keys already known.
    const keySet = createLocalJWKSet(jwks);
    this.keySet = keySet;
  }

  private knownKeyCount(): number {
    return this.keySet?.jwks().keys.length ?? 0;
  }

  /** RFC 8725 §3.1 and §3.10: refuse what the token says about its own verification before any key lookup. */
  private checkProtectedHeader(token: string): void {
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new TokenRejectedError('invalid', 'malformed token');
    }
    if (typeof header.alg !== 'string' || !this.config.frontegg.algorithms.includes(header.alg)) {
      throw new TokenRejectedError('invalid', 'algorithm not allowed');
    }
    if (typeof header.kid !== 'string' || header.kid.length === 0 || header.kid.length > MAX_KID_LENGTH) {
      throw new TokenRejectedError('invalid', 'token has no usable kid');
    }
    const carried = [...KEY_BEARING_HEADERS, ...PROCESSING_HEADERS].filter((name) => name in header);
    if (carried.length > 0) throw new TokenRejectedError('invalid', `token carries header parameters it may not (${carried.join(', ')})`);
    if (header.typ !== undefined && (typeof header.typ !== 'string' || !JWT_TYPES.includes(header.typ.toLowerCase()))) {
      throw new TokenRejectedError('invalid', 'token typ is not JWT');
    }
  }
}

/** A token issued, or a sign-in made, in the future is not one the issuer made. */
function checkTimesNotInFuture(claims: JWTPayload, toleranceS: number): void {
  const latest = Math.floor(Date.now() / 1000) + toleranceS;
  for (const claim of ['iat', 'auth_time'] as const) {
    const value = claims[claim];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new TokenRejectedError('invalid', `claim ${claim} must be a number`);
    if (value > latest) throw new TokenRejectedError('invalid', `claim ${claim} is in the future`);
  }
}

function principalFrom(claims: JWTPayload): Principal {
  const type = claims.type;
  if (!TOKEN_TYPES.includes(type as TokenType)) throw new TokenRejectedError('invalid', 'unsupported token type');
  const userId = type === 'userApiToken' ? claims.userId : claims.sub;
  const tenantId = claims.tenantId;
  if (!isNonEmptyString(userId)) throw new TokenRejectedError('invalid', 'token has no user id');
  if (!isNonEmptyString(tenantId)) throw new TokenRejectedError('invalid', 'token has no tenantId');
  const roleKeys = stringsOf(claims.roles, 'roles');
  const permissions = stringsOf(claims.permissions, 'permissions');
  return {
    userId,
    tenantId,
    tenantIds: stringsOf(claims.tenantIds, 'tenantIds') ?? [tenantId],
    // Either claim present: the token is taken as it is (CONTRACT §3); neither: resolved later.
    claimedGrants: roleKeys || permissions ? { roleKeys: roleKeys ?? [], permissions: permissions ?? [] } : undefined,
    type: type as TokenType,
    email: typeof claims.email === 'string' ? claims.email : undefined,
    authTime: typeof claims.auth_time === 'number' ? claims.auth_time : undefined,
    claims,
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
