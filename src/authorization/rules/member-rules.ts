import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '../../common/problems/problem.exception';
import type { Principal } from '../../auth/principal';
import type { FronteggUser } from '../../identity/frontegg-api.types';
import { membershipIn } from '../grants';
import { tenantsOf } from './tenant-rules';

/** MFA unenroll acts on the user everywhere: only for users of the caller's tenant alone. */
export function assertSingleTenant(tenantId: string, user: FronteggUser): void {
  if ([...tenantsOf(user)].some((other) => other !== tenantId)) {
    throw ProblemException.forbidden('multi-tenant-user', 'the user also belongs to another tenant: MFA reset would reach beyond yours');
  }
}

/** Super-users are the vendor's: no tenant admin resets, removes or re-roles them. */
export function assertNotProtected(user: FronteggUser): void {
  if (user.superUser) throw ProblemException.forbidden('protected-user', 'a super-user cannot be changed from a tenant');
}

/** An admin never removes or re-roles itself, so a tenant always keeps the admin who acts. */
export function assertNotOwnAccount(callerId: string, user: Pick<FronteggUser, 'id'>): void {
  if (user.id === callerId) throw ProblemException.forbidden('own-account', 'you cannot change your own membership; ask another admin');
}

/** A tenant the user may enter: a membership that is neither disabled nor past its end, of a user not locked. */
export function assertActiveMembership(user: FronteggUser, tenantId: string, now = Date.now()): void {
  const membership = membershipIn(user, tenantId);
  const end = membership?.temporaryExpirationDate === undefined ? undefined : Date.parse(membership.temporaryExpirationDate);
  if (!membership || membership.isDisabled || user.isLocked || (end !== undefined && !(end > now))) {
    throw ProblemException.forbidden('not-a-member', `you are not an active member of tenant ${tenantId}`);
  }
}

/** RFC 9470: a sign-in older than `maxAgeS` (or of unknown age) must be repeated. */
export function assertRecentSignIn(authTime: number | undefined, maxAgeS: number, nowS = Date.now() / 1000): void {
  if (authTime !== undefined && nowS - authTime <= maxAgeS) return;
  throw new ProblemException(HttpStatus.UNAUTHORIZED, `this action needs a sign-in within the last ${maxAgeS} s`, {
    headers: { 'WWW-Authenticate': `Bearer realm="api", error="insufficient_user_authentication", max_age=${maxAgeS}` },
  });
}

/**
 * Removing one's own security factors (CONTRACT §4.2), by whichever route: only the user itself,
 * signed in recently. A delegated credential (a user API token) is never that user signing in,
 * whatever its `auth_time` says: `403 token-type`; then the sign-in must be recent (RFC 9470).
 */
export function assertOwnFactorsRemovable(principal: Pick<Principal, 'type' | 'authTime'>, maxAgeS: number): void {
  if (principal.type !== 'userToken') {
    throw ProblemException.forbidden('token-type', `token type ${principal.type} cannot remove your own security factors: sign in again`);
  }
  assertRecentSignIn(principal.authTime, maxAgeS);
}
