import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { BEARER_SCHEME, sessionRequirement } from '../common/openapi/security-schemes';
import { ApiProblems } from '../common/openapi/problem-responses';
import { PROBLEM_CONTENT_TYPE } from '../common/problems/problem-details';
import { DENIAL_REASONS, type DenialReason } from '../common/problems/problem.exception';
import type { Policy, Refusal } from './policy';

export const POLICY = 'authz:policy';

/**
 * States a route's policy (see policies.ts) and writes the same policy into the OpenAPI document:
 * the permission, token types, the rules by name, and every refusal they can answer, so the docs
 * cannot say something the policy guard does not enforce.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function Authorize(policy: Policy<any, any>): MethodDecorator {
  const refusals = refusalsOf(policy);
  const reasons = DENIAL_REASONS.filter((reason) => refusals.has(reason));
  const sessionOnly = policy.credentials === 'session';
  const problems: Record<number, string> = {
    401: sessionOnly
      ? 'No live session: no session cookie, an unknown, ended or expired session, a refresh the provider refused, or a Bearer token instead of the cookie'
      : refusals.has('step-up')
        ? 'Missing, invalid or expired access token or session, access revoked, or a sign-in older than STEP_UP_MAX_AGE_S (RFC 9470 challenge in WWW-Authenticate)'
        : 'Missing, invalid or expired access token or session, access revoked, or both a session cookie and a Bearer token (see WWW-Authenticate)',
    429: 'Too many requests from this user (see Retry-After)',
  };
  if (policy.target?.notFound) problems[404] = `\`${policy.target.notFound}\`: missing, or not in your tenant (the two are not told apart)`;
  if (refusals.has('key-conflict')) problems[409] = 'The role key is already used in your tenant or by an environment-wide role; nothing was written';
  if (refusals.has('member-conflict')) problems[409] = 'The email address is already a member of your tenant; nothing was written';
  return applyDecorators(
    SetMetadata(POLICY, policy),
    // Alternatives: a Bearer token, or (SESSIONS=on) the session cookie together with X-CSRF.
    ...(sessionOnly ? [] : [ApiBearerAuth(BEARER_SCHEME)]),
    ApiSecurity(sessionRequirement()),
    ApiExtension('x-permission', policy.permission ?? 'none (any verified token)'),
    ApiExtension('x-policy', {
      name: policy.name,
      permission: policy.permission ?? null,
      tokenTypes: policy.tokenTypes ?? 'any',
      recentSignIn: policy.recentSignIn ?? false,
      target: policy.target?.description ?? null,
      rules: (policy.rules ?? []).map((rule) => rule.name),
    }),
    ApiProblems(problems),
    ...(reasons.length > 0 ? [ApiDenials(reasons)] : []),
  );
}

/** The `403` of a route: a DenialProblemDto whose `reason` is one of the reasons this route's policy can give. */
export function ApiDenials(reasons: readonly DenialReason[]): MethodDecorator {
  return ApiResponse({
    status: 403,
    description: `Refused by a rule; \`reason\` is one of: ${reasons.join(', ')}`,
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: {
          allOf: [{ $ref: '#/components/schemas/DenialProblemDto' }, { type: 'object', properties: { reason: { type: 'string', enum: [...reasons] } } }],
        },
      },
    },
  });
}

function refusalsOf(policy: Policy<unknown, unknown>): Set<Refusal> {
  const refusals = new Set<Refusal>([...(policy.target?.refusals ?? []), ...(policy.rules ?? []).flatMap((rule) => rule.refusals)]);
  // ENTITLEMENTS=on: a permission linked to features the tenant's plan lacks (CONTRACT §4.5).
  if (policy.permission) refusals.add('missing-permission').add('not-entitled');
  if (policy.tokenTypes) refusals.add('token-type');
  if (policy.recentSignIn) refusals.add('step-up');
  // A cookie-authenticated request without X-CSRF, or from a foreign origin (SESSIONS=on).
  refusals.add('csrf');
  return refusals;
}
