import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { GatewayConfig } from '../config/gateway-config';
import { IdentityClient } from './identity.client';
import { VendorTokenService } from './vendor-token.service';

const KEEP_ALIVE = { keepAlive: true, keepAliveMsecs: 10_000, maxSockets: 256, maxFreeSockets: 64 };

@Module({
  imports: [
    HttpModule.registerAsync({
      inject: [GatewayConfig],
      useFactory: (config: GatewayConfig) => ({
        baseURL: config.frontegg.apiUrl,
        timeout: config.upstreamTimeoutMs,
        // Redirects could carry the vendor token to another host: never follow them.
        maxRedirects: 0,
        // Every status is handled explicitly by the identity client.
        validateStatus: () => true,
        httpAgent: new HttpAgent(KEEP_ALIVE),
        httpsAgent: new HttpsAgent(KEEP_ALIVE),
        headers: { accept: 'application/json', 'user-agent': 'frontegg-identity-gateway' },
        proxy: false,
      }),
    }),
  ],
  providers: [VendorTokenService, IdentityClient],
  exports: [VendorTokenService, IdentityClient],
})
export class IdentityModule {}
