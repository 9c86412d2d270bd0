import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditModule } from './audit/audit.module';
import { AuthenticationGuard } from './auth/authentication.guard';
import { AuthModule } from './auth/auth.module';
import { AuthorizationModule } from './authorization/authorization.module';
import { PolicyGuard } from './authorization/policy.guard';
import { SharedCacheModule } from './common/cache/shared-cache.module';
import { ProblemDetailsFilter } from './common/filters/problem-details.filter';
import { LoggingModule } from './common/logging/logging.module';
import { RateLimitGuard } from './common/rate-limit/rate-limit.guard';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { ConfigModule } from './config/config.module';
import { GatewayConfig } from './config/gateway-config';
import { HealthModule } from './health/health.module';
import { IdentityModule } from './identity/identity.module';
import { MetricsModule } from './metrics/metrics.module';
import { ProfileModule } from './profile/profile.module';
import { RedisModule } from './redis/redis.module';
import { RolesModule } from './roles/roles.module';
import { SessionsModule } from './sessions/sessions.module';
import { MyTenantsModule } from './tenants/my-tenants.module';
import { MembersModule } from './users/members.module';

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        MetricsModule,
        RedisModule,
        SharedCacheModule,
        AuditModule,
        AuthModule,
        RateLimitModule,
        IdentityModule,
        AuthorizationModule,
        ProfileModule,
        RolesModule,
        MembersModule,
        MyTenantsModule,
        HealthModule,
        ...(config.sessions.enabled ? [SessionsModule] : []),
      ],
      providers: [
        // The request pipeline, in this order (guards run as registered): who is calling, how often,
        // and whether the route's policy allows it. Audit is a response hook (audit-trail.service.ts):
        // it sees every outcome, refusals by these guards included.
        { provide: APP_GUARD, useExisting: AuthenticationGuard },
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_GUARD, useExisting: PolicyGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
