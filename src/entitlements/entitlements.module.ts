import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { EntitlementsSnapshotStore } from './entitlements-snapshot.store';
import { EntitlementsController } from './entitlements.controller';
import { Entitlements } from './entitlements.service';

/**
 * Plans, features and feature flags (CONTRACT §4.5): the snapshot kept up to date off the request
 * path, and the decisions the policy guard and GET /v1/me/entitlements ask for.
 */
@Module({
  imports: [IdentityModule],
  controllers: [EntitlementsController],
  providers: [EntitlementsSnapshotStore, Entitlements],
  exports: [EntitlementsSnapshotStore, Entitlements],
})
export class EntitlementsModule {}
