import { Global, Module } from '@nestjs/common';
import { GatewayConfig } from '../../config/gateway-config';
import { createLoggers, GatewayLogger, type GatewayLoggers } from './gateway-logger';

export const LOGGERS = Symbol('LOGGERS');

/** pino for the whole gateway: Nest's logger, and the access log app.factory.ts registers. */
@Global()
@Module({
  providers: [
    { provide: LOGGERS, inject: [GatewayConfig], useFactory: (config: GatewayConfig): GatewayLoggers => createLoggers(config.logLevel, config.logFormat) },
    {
      provide: GatewayLogger,
      inject: [LOGGERS, GatewayConfig],
      useFactory: (loggers: GatewayLoggers, config: GatewayConfig) => new GatewayLogger(loggers.app, config.logFormat === 'pretty'),
    },
  ],
  exports: [LOGGERS, GatewayLogger],
})
export class LoggingModule {}
