import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import { ApiProblems } from '../../common/openapi/problem-responses';
import type { TokenType } from '../principal';

export const ACCESS_RULE = 'auth:rule';
export const BEARER_SCHEME = 'bearer';

export interface AccessRule {
  /** The permission key the caller must hold (wildcard grants count). */
  permission?: string;
  /** Token types allowed on the route; any verified type when absent. */
  tokenTypes?: readonly TokenType[];
  /** The sign-in (`auth_time`) must be at most STEP_UP_MAX_AGE_S old (RFC 9470 step-up). */
  recentSignIn?: boolean;
}

/**
 * States a route's access rule and writes the same rule into the OpenAPI document, so that
 * the docs cannot say something the guard does not enforce.
 */
export function Authenticated(rule: AccessRule = {}): MethodDecorator & ClassDecorator {
  const problems: Record<number, string> = {
    401: rule.recentSignIn
      ? 'Missing, invalid or expired access token, or a sign-in older than STEP_UP_MAX_AGE_S (RFC 9470 challenge in WWW-Authenticate)'
      : 'Missing, invalid or expired access token (see WWW-Authenticate)',
    429: 'Too many requests from this user (see Retry-After)',
  };
  const forbidden = [
    rule.permission && `the token lacks permission ${rule.permission}`,
    rule.tokenTypes && `the token type is not ${rule.tokenTypes.join(' or ')}`,
  ].filter(Boolean);
  if (forbidden.length > 0) problems[403] = `Forbidden: ${forbidden.join('; ')}`;
  return applyDecorators(
    SetMetadata(ACCESS_RULE, rule),
    ApiBearerAuth(BEARER_SCHEME),
    ApiExtension('x-permission', rule.permission ?? 'none (any verified token)'),
    ApiExtension('x-token-types', rule.tokenTypes ?? 'any'),
    ...(rule.recentSignIn ? [ApiExtension('x-recent-sign-in', true)] : []),
    ApiProblems(problems),
  );
}
