import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuthModule } from '../auth/auth.module';
import { EntitlementsModule } from '../entitlements/entitlements.module';
import { IdentityModule } from '../identity/identity.module';
import { HealthController } from './health.controller';
import { Lifecycle } from './lifecycle.service';
import { ReadinessIndicators } from './readiness.indicators';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), AuthModule, IdentityModule, EntitlementsModule],
  controllers: [HealthController],
  providers: [Lifecycle, ReadinessIndicators],
  exports: [Lifecycle],
})
export class HealthModule {}
