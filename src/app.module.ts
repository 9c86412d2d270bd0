import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { SharedCacheModule } from './common/cache/shared-cache.module';
import { ProblemDetailsFilter } from './common/filters/problem-details.filter';
import { LoggingModule } from './common/logging/logging.module';
import { createValidationPipe } from './common/pipes/validation.pipe';
import { ConfigModule } from './config/config.module';
import { GatewayConfig } from './config/gateway-config';
import { HealthModule } from './health/health.module';
import { IdentityModule } from './identity/identity.module';
import { MetricsModule } from './metrics/metrics.module';
import { ProfileModule } from './profile/profile.module';
import { RedisModule } from './redis/redis.module';
import { RolesModule } from './roles/roles.module';
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
        IdentityModule,
        ProfileModule,
        RolesModule,
        MembersModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
