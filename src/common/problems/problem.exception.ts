import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * Why a request was refused with `403` (CONTRACT §3): frontends branch on it, `detail` is for
 * people. Every `403` carries one.
 */
export const DENIAL_REASONS = [
  'missing-permission',
  'token-type',
  'role-level',
  'environment-role',
  'permission-escalation',
  'multi-tenant-user',
  'protected-user',
  'csrf',
  'own-account',
  'not-a-member',
  'not-entitled',
] as const;
export type DenialReason = (typeof DENIAL_REASONS)[number];

export interface ProblemOptions {
  /** Response headers that belong to this answer (`WWW-Authenticate`, `Retry-After`, ...). */
  headers?: Record<string, string>;
  /** RFC 9457 extension members, e.g. the list of invalid fields. */
  extensions?: Record<string, unknown>;
  /** Kept for the log only, never sent: what really happened. */
  cause?: unknown;
}

/**
 * An error that knows its RFC 9457 answer. Everything the gateway refuses on purpose throws
 * one of these; the exception filter turns it into `application/problem+json`.
 */
export class ProblemException extends HttpException {
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(status: HttpStatus | number, readonly detail: string, options: ProblemOptions = {}) {
    super(detail, status, { cause: options.cause });
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }

  static badRequest(detail: string, extensions?: Record<string, unknown>): ProblemException {
    return new ProblemException(HttpStatus.BAD_REQUEST, detail, { extensions });
  }

  static forbidden(reason: DenialReason, detail: string): ProblemException {
    return new ProblemException(HttpStatus.FORBIDDEN, detail, { extensions: { reason } });
  }

  /** The `403` reason, when this is a refusal by a rule. */
  get reason(): DenialReason | undefined {
    return this.extensions.reason as DenialReason | undefined;
  }

  static notFound(detail = 'resource not found'): ProblemException {
    return new ProblemException(HttpStatus.NOT_FOUND, detail);
  }
}
