import type { FeatureFlag, Plan } from '@frontegg/entitlements-javascript-commons';
import type { EntitlementsRule } from '../identity/frontegg-api.types';

/**
 * Bounds of one snapshot. Memory grows with the tuples, not the bytes, so both are bounded: the
 * body is read at most up to SNAPSHOT_MAX_BYTES (a larger answer is refused while it streams, never
 * buffered whole), and a snapshot of more than SNAPSHOT_MAX_TUPLES tuples is refused before it is
 * indexed. 200,000 tuples is twice the 100,000 measured by the bench (see the docs): while a reload
 * is indexed the old snapshot, the new one and the parsed body are all alive, and `start:prod` runs
 * with a 128 MB old space.
 */
export const SNAPSHOT_MAX_BYTES = 32 * 1024 * 1024;
export const SNAPSHOT_MAX_TUPLES = 200_000;
/** Ids, keys and attribute names; Frontegg's are UUIDs and short keys. */
const MAX_ID_LENGTH = 256;

/** `@frontegg/client`'s NO_EXPIRE: a grant without an expiry. */
export const NO_EXPIRY = -1;

/**
 * Every grant, by grantee: for a tenant (or a user in a tenant, userGrantKey) the head of a chain of entries, one per
 * plan granted to it, in the snapshot's plan order, each with its expiry already picked as the SDK picks it
 * (pickExpTimestamp). A decision walks the caller's own chain (a plan or two, typically) instead of probing every plan
 * that holds the feature: one map lookup per grantee, then array reads. Flat on purpose: two maps and three typed
 * arrays, so that a large snapshot is few objects for the garbage collector to walk on every major collection.
 */
export interface GrantIndex {
  readonly tenants: ReadonlyMap<string, number>;
  readonly users: ReadonlyMap<string, number>;
  /** Per entry: the plan's position in the snapshot, the picked expiry, the next entry of the grantee (-1: none). */
  readonly plan: Int32Array;
  readonly expiry: Float64Array;
  readonly next: Int32Array;
}

/** The key of a user's grants: its tenant's id, length-prefixed so that no two (tenant, user) pairs share one. */
export function userGrantKey(tenantId: string, userId: string): string {
  return `${tenantId.length}:${tenantId}${userId}`;
}

/** What decides one feature, by its key. */
export interface FeatureIndex {
  /** The positions of the plans holding the feature (the SDK's rule: of those granted, the last in plan order wins). */
  readonly plans: ReadonlySet<number>;
  /** Only flags that can answer `true` at all: the others cannot change a decision. */
  readonly flags: readonly FeatureFlag[];
  /** Only plans whose targeting can answer `true` at all. */
  readonly targetedPlans: readonly Plan[];
}

/** A validated snapshot, indexed so that one decision is a few map lookups (by feature key, tenant, user). */
export interface EntitlementsSnapshot {
  readonly offset: number;
  readonly features: ReadonlyMap<string, FeatureIndex>;
  readonly grants: GrantIndex;
  /** Permission key → keys of the features linked to it, in the SDK's order. */
  readonly permissionFeatures: ReadonlyMap<string, readonly string[]>;
  readonly tupleCount: number;
}

/** Why a snapshot was refused; it never replaces the last good one. */
export class SnapshotRejected extends Error {
  constructor(detail: string) {
    super(`entitlements snapshot refused: ${detail}`);
    this.name = 'SnapshotRejected';
  }
}

type Json = unknown;

/**
 * Validates a `GET /entitlements/api/v1/vendor-entitlements` answer and builds its indexes. Every
 * tuple must have a shape of `@frontegg/client`'s `vendor-entitlements/v1` types (a grant tuple
 * may be shortened, and give null for an absent user or expiry); ids and feature keys are unique.
 * Anything else refuses the whole snapshot: a half-understood snapshot would decide wrongly.
 */
export function parseSnapshot(body: Json): EntitlementsSnapshot {
  const answer = objectAt(body, 'the answer');
  const offset = answer.snapshotOffset;
  if (typeof offset !== 'number' || !Number.isFinite(offset)) throw new SnapshotRejected('snapshotOffset is not a number');
  const data = objectAt(answer.data, 'data');
  const features = arrayAt(data.features, 'data.features');
  const bundles = arrayAt(data.featureBundles, 'data.featureBundles');
  const grants = arrayAt(data.entitlements, 'data.entitlements');
  const flags = arrayAt(data.featureFlags, 'data.featureFlags');
  const tupleCount = features.length + bundles.length + grants.length + flags.length;
  if (tupleCount > SNAPSHOT_MAX_TUPLES) throw new SnapshotRejected(`${tupleCount} tuples, more than ${SNAPSHOT_MAX_TUPLES}`);

  // Features: [id, key, permission keys]
  const featureById = new Map<string, { key: string; permissions: string[] }>();
  const featureKeys = new Set<string>();
  features.forEach((tuple, index) => {
    const where = `data.features[${index}]`;
    const [id, key, permissions] = tupleAt(tuple, where, 3, 3);
    const feature = { key: idAt(key, `${where} key`), permissions: permissions === null ? [] : stringsAt(permissions, `${where} permissions`) };
    if (featureById.has(idAt(id, `${where} id`))) throw new SnapshotRejected(`duplicate feature id at ${where}`);
    if (featureKeys.has(feature.key)) throw new SnapshotRejected(`duplicate feature key at ${where}`);
    featureById.set(id as string, feature);
    featureKeys.add(feature.key);
  });

  // Plans ("feature bundles"): [id, feature ids, default treatment, rules]
  const planById = new Map<string, { featureKeys: string[]; plan: Plan; tenantExpiries: Map<string, number[]>; userExpiries: Map<string, number[]> }>();
  bundles.forEach((tuple, index) => {
    const where = `data.featureBundles[${index}]`;
    const [id, featureIds, defaultTreatment, rules] = tupleAt(tuple, where, 4, 4);
    if (planById.has(idAt(id, `${where} id`))) throw new SnapshotRejected(`duplicate plan id at ${where}`);
    // An unknown feature id holds nothing, as in the SDK.
    const keys = stringsAt(featureIds, `${where} feature ids`).flatMap((featureId) => featureById.get(featureId)?.key ?? []);
    planById.set(id as string, {
      featureKeys: [...new Set(keys)],
      plan: { defaultTreatment: treatmentAt(defaultTreatment, where), rules: rulesAt(rules, where) },
      tenantExpiries: new Map(),
      userExpiries: new Map(),
    });
  });

  // Grants: [plan id, tenant id, user id?, expiry?]. Every expiry of one plan to one tenant (or user) is kept, then picked.
  grants.forEach((tuple, index) => {
    const where = `data.entitlements[${index}]`;
    const [planId, tenantId, userId, expiresAt] = tupleAt(tuple, where, 2, 4);
    idAt(planId, `${where} plan id`);
    idAt(tenantId, `${where} tenant id`);
    // An empty user id is a tenant grant to the SDK (`if (userId)`), so it is one here too.
    if (userId !== undefined && userId !== null && userId !== '') idAt(userId, `${where} user id`);
    const expiry = expiryAt(expiresAt, where);
    // A grant of an unknown plan grants nothing, as in the SDK.
    const plan = planById.get(planId as string);
    if (!plan) return;
    // As the SDK's `if (userId)` reads it: no user (absent, null) is a grant to the whole tenant.
    if (userId) arrayIn(plan.userExpiries, userGrantKey(tenantId as string, userId as string)).push(expiry);
    else arrayIn(plan.tenantExpiries, tenantId as string).push(expiry);
  });

  // Flags: [feature key, on, 'boolean', default treatment, off treatment, rules]; only flags of known features count (SDK).
  const flagsByFeature = new Map<string, FeatureFlag[]>();
  flags.forEach((tuple, index) => {
    const where = `data.featureFlags[${index}]`;
    const [featureKey, on, type, defaultTreatment, offTreatment, rules] = tupleAt(tuple, where, 6, 6);
    idAt(featureKey, `${where} feature key`);
    if (typeof on !== 'boolean') throw new SnapshotRejected(`${where} on is not a boolean`);
    if (type !== 'boolean') throw new SnapshotRejected(`${where} type is not boolean`);
    const flag: FeatureFlag = {
      on,
      defaultTreatment: treatmentAt(defaultTreatment, where),
      offTreatment: treatmentAt(offTreatment, where),
      rules: rulesAt(rules, where),
    };
    if (featureKeys.has(featureKey as string) && flagCanEntitle(flag)) arrayIn(flagsByFeature, featureKey as string).push(flag);
  });

  // Per feature: plans in snapshot order; permission links from every feature (bundled or not), as the SDK builds them.
  const indexes = new Map<string, { plans: Set<number>; flags: FeatureFlag[]; targetedPlans: Plan[] }>();
  for (const feature of featureById.values()) {
    indexes.set(feature.key, { plans: new Set(), flags: flagsByFeature.get(feature.key) ?? [], targetedPlans: [] });
  }
  const permissionsByFeature = new Map([...featureById.values()].map(({ key, permissions }) => [key, permissions]));
  const permissionFeatures = new Map<string, string[]>();
  const linked = new Set<string>();
  const link = (key: string) => {
    if (linked.has(key)) return;
    linked.add(key);
    for (const permission of permissionsByFeature.get(key) ?? []) {
      const keys = arrayIn(permissionFeatures, permission);
      if (!keys.includes(key)) keys.push(key);
    }
  };
  const grantIndex = new GrantIndexBuilder();
  [...planById.values()].forEach((plan, position) => {
    grantIndex.addPlan(position, plan.tenantExpiries, plan.userExpiries);
    for (const key of plan.featureKeys) {
      const index = indexes.get(key)!;
      index.plans.add(position);
      if (planCanEntitle(plan.plan)) index.targetedPlans.push(plan.plan);
      link(key);
    }
  });
  for (const feature of featureById.values()) link(feature.key);
  return { offset, features: indexes, grants: grantIndex.build(), permissionFeatures, tupleCount };
}

/** `@frontegg/client`'s pickExpTimestamp: any grant without expiry wins, else the latest expiry. */
export function pickExpiry(expiries: readonly number[]): number {
  // A loop, not Math.min(...expiries): one tenant may have more grants than a call has room for arguments.
  let earliest = Infinity;
  let latest = -Infinity;
  for (const expiry of expiries) {
    if (expiry < earliest) earliest = expiry;
    if (expiry > latest) latest = expiry;
  }
  return earliest < 0 ? earliest : latest;
}

/** evaluateFeatureFlag can answer `true`: off with a `true` off treatment, or on with a `true` default or rule. */
function flagCanEntitle(flag: FeatureFlag): boolean {
  if (!flag.on) return flag.offTreatment === 'true';
  return flag.defaultTreatment === 'true' || (flag.rules ?? []).some((rule) => rule.treatment === 'true');
}

function planCanEntitle(plan: Plan): boolean {
  return plan.defaultTreatment === 'true' || (plan.rules ?? []).some((rule) => rule.treatment === 'true');
}

function objectAt(value: Json, where: string): Record<string, Json> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SnapshotRejected(`${where} is not an object`);
  return value as Record<string, Json>;
}

function arrayAt(value: Json, where: string): Json[] {
  if (!Array.isArray(value)) throw new SnapshotRejected(`${where} is not a list`);
  return value;
}

function tupleAt(value: Json, where: string, min: number, max: number): Json[] {
  const tuple = arrayAt(value, where);
  if (tuple.length < min || tuple.length > max) throw new SnapshotRejected(`${where} has ${tuple.length} items, not ${min === max ? min : `${min} to ${max}`}`);
  return tuple;
}

function idAt(value: Json, where: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) throw new SnapshotRejected(`${where} is not an id of 1 to ${MAX_ID_LENGTH} characters`);
  return value;
}

function stringsAt(value: Json, where: string): string[] {
  const items = arrayAt(value, where);
  for (const item of items) idAt(item, where);
  return items as string[];
}

function treatmentAt(value: Json, where: string): Plan['defaultTreatment'] {
  if (value !== 'true' && value !== 'false') throw new SnapshotRejected(`${where} has a treatment that is not 'true' or 'false'`);
  return value as Plan['defaultTreatment'];
}

/** An ISO 8601 time (ms since the epoch), or NO_EXPIRY when absent or null. */
function expiryAt(value: Json, where: string): number {
  if (value === undefined || value === null) return NO_EXPIRY;
  const time = typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(time)) throw new SnapshotRejected(`${where} expiry is not a date`);
  return time;
}

/**
 * Rules as the SDK's tuple mappers hand them to the commons evaluators: treatment, logic, and
 * conditions of attribute, op, negate and value. Nested condition groups are not in the
 * `vendor-entitlements/v1` types (the SDK's mapper would turn them into failing conditions): refused.
 */
function rulesAt(value: Json, where: string): NonNullable<Plan['rules']> {
  return arrayAt(value, `${where} rules`).map((item, index) => {
    const at = `${where} rules[${index}]`;
    const rule = objectAt(item, at) as unknown as EntitlementsRule;
    if (rule.conditionLogic !== 'and' && rule.conditionLogic !== 'or') throw new SnapshotRejected(`${at} conditionLogic is not and/or`);
    return {
      treatment: treatmentAt(rule.treatment, at),
      conditionLogic: rule.conditionLogic,
      conditions: arrayAt(rule.conditions, `${at} conditions`).map((condition, position) => {
        const { attribute, op, negate, value: operand } = objectAt(condition, `${at} conditions[${position}]`);
        if (typeof attribute !== 'string' || typeof op !== 'string' || (negate !== undefined && typeof negate !== 'boolean')) {
          throw new SnapshotRejected(`${at} conditions[${position}] is not a condition`);
        }
        return { attribute, op, negate: negate ?? false, value: objectAt(operand, `${at} conditions[${position}] value`) };
      }),
    } as NonNullable<Plan['rules']>[number];
  });
}

function arrayIn<V>(map: Map<string, V[]>, key: string): V[] {
  let items = map.get(key);
  if (!items) map.set(key, (items = []));
  return items;
}

/** Builds the GrantIndex plan by plan, in the snapshot's order, so that every grantee's chain is in plan order. */
class GrantIndexBuilder {
  private readonly plan: number[] = [];
  private readonly expiry: number[] = [];
  private readonly next: number[] = [];
  private readonly heads = { tenants: new Map<string, number>(), users: new Map<string, number>() };
  private readonly tails = { tenants: new Map<string, number>(), users: new Map<string, number>() };

  addPlan(position: number, tenantExpiries: Map<string, number[]>, userExpiries: Map<string, number[]>): void {
    for (const [tenantId, expiries] of tenantExpiries) this.append('tenants', tenantId, position, pickExpiry(expiries));
    for (const [userKey, expiries] of userExpiries) this.append('users', userKey, position, pickExpiry(expiries));
  }

  build(): GrantIndex {
    return { tenants: this.heads.tenants, users: this.heads.users, plan: Int32Array.from(this.plan), expiry: Float64Array.from(this.expiry), next: Int32Array.from(this.next) };
  }

  private append(kind: 'tenants' | 'users', grantee: string, position: number, expiry: number): void {
    const entry = this.plan.length;
    this.plan.push(position);
    this.expiry.push(expiry);
    this.next.push(-1);
    const tail = this.tails[kind].get(grantee);
    if (tail === undefined) this.heads[kind].set(grantee, entry);
    else this.next[tail] = entry;
    this.tails[kind].set(grantee, entry);
  }
}
