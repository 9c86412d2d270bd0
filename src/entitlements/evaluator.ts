import { evaluateFeatureFlag, evaluatePlan, prepareAttributes } from '@frontegg/entitlements-javascript-commons';
import { holdsPermission } from '../auth/permissions';
import { NO_EXPIRY, pickExpiry, userGrantKey, type EntitlementsSnapshot, type FeatureIndex, type GrantIndex } from './snapshot';

/** `@frontegg/client`'s EntitlementJustifications. */
export type Justification = 'missing-feature' | 'missing-permission' | 'bundle-expired';

export interface EntitlementDecision {
  readonly entitled: boolean;
  /** null when entitled. */
  readonly justification: Justification | null;
}

/** What the SDK's `forFronteggToken` prepares from a verified token, with the gateway's grants as its permissions. */
export interface EntitlementsCaller {
  readonly tenantId: string;
  readonly userId?: string;
  /** The gateway's grants (CONTRACT §3), wildcards as written. */
  readonly permissions: readonly string[];
  /** `frontegg.*` and `jwt.*` attributes for flag and plan rules; asked only when a rule is evaluated. */
  attributes(): Readonly<Record<string, unknown>>;
}

const ENTITLED: EntitlementDecision = { entitled: true, justification: null };
const MISSING_FEATURE: EntitlementDecision = { entitled: false, justification: 'missing-feature' };
const MISSING_PERMISSION: EntitlementDecision = { entitled: false, justification: 'missing-permission' };
const BUNDLE_EXPIRED: EntitlementDecision = { entitled: false, justification: 'bundle-expired' };

/**
 * `EntitlementsUserScoped.isEntitledToFeature` of `@frontegg/client`, on the indexed snapshot:
 * a live grant of a plan holding the feature (to the tenant or to the caller in it); else a flag
 * treating the caller `true`; else a plan's targeting treating it `true`; else the grant's answer.
 */
export function decideFeature(snapshot: EntitlementsSnapshot, caller: EntitlementsCaller, featureKey: string, now: number): EntitlementDecision {
  const feature = snapshot.features.get(featureKey);
  if (!feature) return MISSING_FEATURE;
  const granted = decideGrant(feature, snapshot.grants, caller, now);
  if (granted.entitled) return granted;
  if (feature.flags.length > 0 || feature.targetedPlans.length > 0) {
    const attributes = caller.attributes();
    if (feature.flags.some((flag) => evaluateFeatureFlag(flag, attributes).treatment === 'true')) return ENTITLED;
    if (feature.targetedPlans.some((plan) => evaluatePlan(plan, attributes).treatment === 'true')) return ENTITLED;
  }
  return granted;
}

/**
 * `isEntitledToPermission`: the caller must hold the permission; a permission linked to no
 * feature is then entitled, else entitled to one of its features (`bundle-expired` when one of
 * them was refused for an expired grant). `feature` names the first linked feature, for a refusal.
 */
export function decidePermission(
  snapshot: EntitlementsSnapshot,
  caller: EntitlementsCaller,
  permissionKey: string,
  now: number,
): EntitlementDecision & { readonly feature?: string } {
  if (!holdsPermission(caller.permissions, permissionKey)) return MISSING_PERMISSION;
  return decideLinkedFeatures(snapshot, caller, permissionKey, now);
}

/** The feature half of `isEntitledToPermission`, for a caller already known to hold the permission (the policy guard's). */
export function decideLinkedFeatures(
  snapshot: EntitlementsSnapshot,
  caller: EntitlementsCaller,
  permissionKey: string,
  now: number,
): EntitlementDecision & { readonly feature?: string } {
  const features = snapshot.permissionFeatures.get(permissionKey);
  if (!features) return ENTITLED;
  let expired = false;
  for (const featureKey of features) {
    const decision = decideFeature(snapshot, caller, featureKey, now);
    if (decision.entitled) return ENTITLED;
    if (decision.justification === 'bundle-expired') expired = true;
  }
  return { ...(expired ? BUNDLE_EXPIRED : MISSING_FEATURE), feature: features[0] };
}

/**
 * The SDK's getEntitlementResult: the expiry of the tenant's grant and of the caller's own, each
 * from the last plan (in snapshot order) that grants the feature to it, picked together.
 */
function decideGrant(feature: FeatureIndex, grants: GrantIndex, caller: EntitlementsCaller, now: number): EntitlementDecision {
  if (feature.plans.size === 0) return MISSING_FEATURE;
  const tenantExpiry = lastGrantExpiry(grants, grants.tenants.get(caller.tenantId), feature.plans);
  const userExpiry = caller.userId ? lastGrantExpiry(grants, grants.users.get(userGrantKey(caller.tenantId, caller.userId)), feature.plans) : undefined;
  const expiry = tenantExpiry === undefined ? userExpiry : userExpiry === undefined ? tenantExpiry : pickExpiry([tenantExpiry, userExpiry]);
  if (expiry === undefined) return MISSING_FEATURE;
  return expiry === NO_EXPIRY || expiry > now ? ENTITLED : BUNDLE_EXPIRED;
}

/** The expiry of the grantee's grant of the last plan (in snapshot order) that holds the feature; undefined: none. */
function lastGrantExpiry(grants: GrantIndex, head: number | undefined, plans: ReadonlySet<number>): number | undefined {
  let expiry: number | undefined;
  for (let entry = head ?? -1; entry >= 0; entry = grants.next[entry]) {
    if (plans.has(grants.plan[entry])) expiry = grants.expiry[entry];
  }
  return expiry;
}

/**
 * The attributes `forFronteggToken` prepares from the verified token's claims: `jwt.*` (flattened)
 * and `frontegg.*` (commons' prepareAttributes), with `frontegg.userId` the token's user id.
 */
export function tokenAttributes(claims: Readonly<Record<string, unknown>>, userId: string | undefined): Record<string, unknown> {
  const attributes = prepareAttributes({ jwt: claims as Record<string, unknown> });
  return userId ? { ...attributes, 'frontegg.userId': userId } : attributes;
}
