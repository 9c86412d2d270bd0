import { Injectable } from '@nestjs/common';
import { ReadThroughCache, type CachedAnswer } from '../common/cache/read-through-cache';
import type { RequestTrace } from '../common/http/request-trace';
import { GatewayConfig } from '../config/gateway-config';
import type { FronteggPermission } from '../identity/frontegg-api.types';
import { IdentityClient } from '../identity/identity.client';

const CATALOGUE_KEY = 'permissions';

/** The environment's permission catalogue (the same for every tenant), cached like tenant roles. */
@Injectable()
export class PermissionCatalogue {
  constructor(
    private readonly identity: IdentityClient,
    private readonly cache: ReadThroughCache,
    private readonly config: GatewayConfig,
  ) {}

  answer(trace: RequestTrace): Promise<CachedAnswer<FronteggPermission[]>> {
    return this.cache.read('permissions', CATALOGUE_KEY, this.config.rolesCacheTtlS * 1000, () => this.identity.listPermissions(trace));
  }

  async list(trace: RequestTrace): Promise<FronteggPermission[]> {
    return (await this.answer(trace)).value;
  }
}
