import { Inject, Injectable, Optional } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal';
import type { RequestTrace } from '../common/http/request-trace';
import { IdentityClient } from '../identity/identity.client';
import { SESSION_AUTHENTICATOR, type SessionAuthenticator } from '../auth/session-authenticator';
import type { MyTenantDto, TenantSwitchedDto } from './dto/my-tenant.dto';

/** The caller's own tenants and its active one (CONTRACT §4.4); the policy has checked the membership. */
@Injectable()
export class MyTenantsService {
  constructor(
    private readonly identity: IdentityClient,
    @Optional() @Inject(SESSION_AUTHENTICATOR) private readonly sessions?: SessionAuthenticator,
  ) {}

  async list(principal: Principal, trace: RequestTrace): Promise<MyTenantDto[]> {
    const tenants = await this.identity.listUserTenants(principal.userId, trace);
    return tenants.map(({ tenantId, name }) => ({ tenantId, name: name ?? tenantId, active: tenantId === principal.tenantId }));
  }

  /**
   * Makes the tenant active upstream. A Bearer token still names the old tenant until the app
   * refreshes it; a browser session is refreshed here, so its next request runs in the new tenant.
   */
  async switchTo(principal: Principal, tenantId: string, request: FastifyRequest, trace: RequestTrace): Promise<TenantSwitchedDto> {
    await this.identity.switchActiveTenant(principal.userId, principal.tenantId, tenantId, trace);
    if (!request.session || !this.sessions) return { tenantId, refreshRequired: true };
    await this.sessions.renew(request);
    return { tenantId, refreshRequired: false };
  }
}
