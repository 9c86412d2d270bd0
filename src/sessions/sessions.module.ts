import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { GatewayConfig } from '../config/gateway-config';
import { REDIS, type SharedRedis } from '../redis/redis.token';
import { SharedStoreHealth } from '../redis/shared-store-health';
import { HostedLoginClient } from './hosted-login.client';
import { RedisSessionBackend } from './session-backends';
import { SESSION_AUTHENTICATOR } from '../auth/session-authenticator';
import { SessionCookies } from './session-cookie';
import { SessionStore } from './session-store';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

/**
 * Browser sessions (CONTRACT §8), imported only with SESSIONS=on. Global so that the
 * authentication guard finds the session authenticator without AuthModule depending on it.
 */
@Global()
@Module({
  imports: [AuthModule],
  controllers: [SessionsController],
  providers: [
    { provide: SessionCookies, inject: [GatewayConfig], useFactory: (config: GatewayConfig) => new SessionCookies(config.sessions, config.corsOrigins) },
    {
      provide: SessionStore,
      inject: [REDIS, SharedStoreHealth],
      // With Redis, sessions are shared by every instance and never fall back to memory: a session
      // written in one process's memory would be unknown to the others, and a logout would miss it.
      useFactory: (redis: SharedRedis, health: SharedStoreHealth) =>
        redis ? new SessionStore(new RedisSessionBackend(redis, health)) : SessionStore.inMemory(),
    },
    HostedLoginClient,
    SessionsService,
    { provide: SESSION_AUTHENTICATOR, useExisting: SessionsService },
  ],
  exports: [SESSION_AUTHENTICATOR],
})
export class SessionsModule {}
