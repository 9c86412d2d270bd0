import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { ProblemException } from '../common/problems/problem.exception';
import { GatewayConfig } from '../config/gateway-config';
import { EntitlementsSnapshotStore } from './entitlements-snapshot.store';
import { decideFeature, decideLinkedFeatures, decidePermission, tokenAttributes, type EntitlementDecision, type EntitlementsCaller } from './evaluator';

export interface EntitlementsAnswer {
  features: Record<string, EntitlementDecision>;
  permissions: Record<string, EntitlementDecision>;
}

/**
 * Entitlements in authorization (CONTRACT §4.5): the policy guard asks it about every permission
 * a route needs, and GET /v1/me/entitlements about the keys a frontend names. With ENTITLEMENTS=off
 * it allows everything and answers nothing.
 */
@Injectable()
export class Entitlements {
  /** Attributes per verified principal (principals are cached per token): flattened once, not per rule. */
  private readonly attributesOf = new WeakMap<Principal, Record<string, unknown>>();

  constructor(
    private readonly store: EntitlementsSnapshotStore,
    private readonly config: GatewayConfig,
  ) {}

  get enabled(): boolean {
    return this.config.entitlements.enabled;
  }

  /**
   * For a caller that holds `permission` (the guard checked it): a permission linked to features
   * needs one of them, else `403 not-entitled` naming a feature that would grant it. Before the
   * first snapshot, `503` with Retry-After: which permissions are linked is not known yet.
   */
  assertEntitledToPermission(principal: Principal, permissions: readonly string[], permission: string): void {
    if (!this.enabled) return;
    const decision = decideLinkedFeatures(this.store.current(), this.callerOf(principal, permissions), permission, Date.now());
    if (!decision.entitled) {
      throw ProblemException.forbidden('not-entitled', `permission ${permission} needs feature ${decision.feature}, which your plan does not include (${decision.justification})`);
    }
  }

  /** The caller's decisions for the given keys; no keys: every feature of the snapshot. */
  decide(principal: Principal, permissions: readonly string[], keys: { features?: string[]; permissions?: string[] }): EntitlementsAnswer {
    const snapshot = this.store.current();
    const caller = this.callerOf(principal, permissions);
    const now = Date.now();
    const featureKeys = keys.features ?? (keys.permissions ? [] : [...snapshot.features.keys()]);
    return {
      features: Object.fromEntries(featureKeys.map((key) => [key, plain(decideFeature(snapshot, caller, key, now))])),
      permissions: Object.fromEntries((keys.permissions ?? []).map((key) => [key, plain(decidePermission(snapshot, caller, key, now))])),
    };
  }

  private callerOf(principal: Principal, permissions: readonly string[]): EntitlementsCaller {
    return {
      tenantId: principal.tenantId,
      userId: principal.userId,
      permissions,
      attributes: () => {
        let attributes = this.attributesOf.get(principal);
        if (!attributes) this.attributesOf.set(principal, (attributes = tokenAttributes(principal.claims ?? {}, principal.userId)));
        return attributes;
      },
    };
  }
}

function plain({ entitled, justification }: EntitlementDecision): EntitlementDecision {
  return { entitled, justification };
}
