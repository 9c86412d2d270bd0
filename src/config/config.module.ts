import { DynamicModule, Global, Module } from '@nestjs/common';
import { GatewayConfig } from './gateway-config';

/** Makes the validated configuration injectable as `GatewayConfig` everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: GatewayConfig, useValue: config }], exports: [GatewayConfig] };
  }
}
