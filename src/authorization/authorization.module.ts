import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EntitlementsModule } from '../entitlements/entitlements.module';
import { IdentityModule } from '../identity/identity.module';
import { GrantsResolver } from './grants.resolver';
import { PermissionCatalogue } from './permission-catalogue.service';
import { PolicyCoverage } from './policy-coverage';
import { PolicyGuard } from './policy.guard';
import { TenantDirectory } from './tenant-directory.service';

/**
 * The app's own authorization: route policies, the caller's grants (token or identity API), and
 * the tenant-scoped accessor through which every member and role is obtained.
 */
@Module({
  imports: [IdentityModule, DiscoveryModule, EntitlementsModule],
  providers: [GrantsResolver, PermissionCatalogue, TenantDirectory, PolicyGuard, PolicyCoverage],
  exports: [PermissionCatalogue, TenantDirectory, PolicyGuard],
})
export class AuthorizationModule {}
