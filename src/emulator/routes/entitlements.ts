import type { FastifyInstance } from 'fastify';
import type { VendorEntitlementsOffsetResponse, VendorEntitlementsResponse } from '../../identity/frontegg-api.types';
import type { EmulatorContext } from '../context';

/**
 * The snapshot Frontegg's SDKs poll (`@frontegg/client`'s EntitlementsClient): the offset, cheap to
 * ask often, and the whole snapshot, read again only when the offset moved.
 */
export function registerEntitlementsRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/entitlements/api/v1/vendor-entitlements', async (): Promise<VendorEntitlementsResponse> => ctx.entitlements.snapshot());
  app.get(
    '/entitlements/api/v1/vendor-entitlements-snapshot-offset',
    async (): Promise<VendorEntitlementsOffsetResponse> => ({ snapshotOffset: ctx.entitlements.currentOffset() }),
  );
}
