import { CanActivate, ExecutionContext, HttpStatus, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { isPublicRoute } from '../auth/decorators/public.decorator';
import { missingPermissions } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import { noSession } from '../auth/session-authenticator';
import { validateBody } from '../common/pipes/validation.pipe';
import { ProblemException } from '../common/problems/problem.exception';
import { GatewayConfig } from '../config/gateway-config';
import { Entitlements } from '../entitlements/entitlements.service';
import { POLICY } from './authorize.decorator';
import type { Grants } from './grants';
import { GrantsResolver } from './grants.resolver';
import { PermissionCatalogue } from './permission-catalogue.service';
import type { Policy, PolicyContext } from './policy';
import { assertRecentSignIn } from './rules/member-rules';
import { TenantDirectory } from './tenant-directory.service';

type AnyPolicy = Policy<unknown, unknown>;

/** What the policy guard established, for the handler: the caller's grants and the target it loaded. */
export interface Authorization {
  readonly grants: Grants;
  readonly target: unknown;
}

declare module 'fastify' {
  interface FastifyRequest {
    authorization?: Authorization;
  }
}

const PUBLIC = Symbol('public');

/**
 * The one authorization layer (registered globally, after authentication and the rate limit).
 * Deny by default: a request without a verified caller is refused with the authentication
 * failure, and a route with neither `@Public()` nor `@Authorize(policy)` is refused (and the app
 * does not even start with one: see policy-coverage.ts). Each refusal writes one decision line.
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  private readonly logger = new Logger('Authorization');
  /** Policies by handler: metadata is read once per route, not per request. */
  private readonly policies = new WeakMap<Function, AnyPolicy | typeof PUBLIC | undefined>();

  constructor(
    private readonly reflector: Reflector,
    private readonly grantsResolver: GrantsResolver,
    private readonly directory: TenantDirectory,
    private readonly catalogue: PermissionCatalogue,
    private readonly config: GatewayConfig,
    private readonly entitlements: Entitlements,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.policyOf(context);
    if (policy === PUBLIC) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const decision = { rule: 'policy-declared' };
    try {
      if (!policy) throw new Error(`route ${request.routeOptions.url} declares no policy`);
      decision.rule = 'authenticated';
      const principal = request.principal;
      if (!principal) throw request.authenticationFailure ?? new ProblemException(HttpStatus.UNAUTHORIZED, 'invalid token');
      if (policy.credentials === 'session' && !request.session) throw noSession();
      decision.rule = 'token-type';
      if (policy.tokenTypes && !policy.tokenTypes.includes(principal.type)) {
        throw ProblemException.forbidden('token-type', `token type ${principal.type} is not allowed here`);
      }
      // The common case (grants in the token, no target): decided without waiting on anything.
      const claimed = this.grantsResolver.fromToken(principal, { rolesById: policy.callerRolesById });
      if (claimed && !policy.recentSignIn && !policy.body && !policy.target) {
        this.assertPermission(policy, principal, claimed, decision);
        request.authorization = { grants: claimed, target: undefined };
        return true;
      }
      return this.evaluate(policy, request, principal, decision).catch((error: unknown) => this.refuse(request, policy, decision.rule, error));
    } catch (error) {
      return this.refuse(request, policy, decision.rule, error);
    }
  }

  private async evaluate(policy: AnyPolicy, request: FastifyRequest, principal: Principal, decision: { rule: string }): Promise<boolean> {
    decision.rule = 'grants';
    const grants = await this.grantsResolver.grantsOf(principal, request.trace, { rolesById: policy.callerRolesById });
    this.assertPermission(policy, principal, grants, decision);
    if (policy.recentSignIn) {
      decision.rule = 'recent-sign-in';
      assertRecentSignIn(principal.authTime, this.config.stepUpMaxAgeS);
    }
    if (policy.body) {
      decision.rule = 'valid-body';
      request.body = await validateBody(policy.body as new () => object, request.body);
    }
    const context: PolicyContext = {
      principal,
      grants,
      trace: request.trace,
      params: (request.params ?? {}) as Record<string, string | undefined>,
      body: request.body,
      directory: this.directory,
      catalogue: this.catalogue,
      config: this.config,
    };
    decision.rule = 'target';
    const target = policy.target ? await policy.target.load(context) : undefined;
    for (const rule of policy.rules ?? []) {
      decision.rule = rule.name;
      await rule.check(target, context);
    }
    request.authorization = { grants, target };
    return true;
  }

  /** One decision line per refusal by a rule, then the refusal itself; failures of the upstream are not decisions. */
  private refuse(request: FastifyRequest, policy: AnyPolicy | undefined, rule: string, error: unknown): never {
    const status = error instanceof ProblemException ? error.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    // Unauthenticated requests are authentication's refusal (and the access log's line), not a decision.
    if (status < 500 && rule !== 'authenticated') {
      this.logger.log(
        {
          decision: 'deny',
          actor: request.principal?.userId ?? 'anonymous',
          tenant: request.principal?.tenantId ?? null,
          route: `${request.method} ${request.routeOptions.url}`,
          policy: policy?.name ?? null,
          rule,
          status,
          reason: error instanceof ProblemException ? (error.reason ?? null) : null,
          requestId: request.id,
        },
        `denied by ${rule}`,
      );
    }
    throw error;
  }

  /** The route's permission: held (CONTRACT §3), and included in the tenant's plan when linked to features (§4.5). */
  private assertPermission(policy: AnyPolicy, principal: Principal, grants: Grants, decision: { rule: string }): void {
    if (!policy.permission) return;
    decision.rule = 'permission';
    const missing = missingPermissions(grants.permissions, [policy.permission]);
    if (missing.length > 0) throw ProblemException.forbidden('missing-permission', `missing permission ${missing.join(', ')}`);
    decision.rule = 'entitlement';
    this.entitlements.assertEntitledToPermission(principal, grants.permissions, policy.permission);
  }

  private policyOf(context: ExecutionContext): AnyPolicy | typeof PUBLIC | undefined {
    const handler = context.getHandler();
    if (this.policies.has(handler)) return this.policies.get(handler);
    const policy = isPublicRoute(this.reflector, context) ? PUBLIC : this.reflector.get<AnyPolicy | undefined>(POLICY, handler);
    this.policies.set(handler, policy);
    return policy;
  }
}
