import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { GatewayConfig } from '../config/gateway-config';
import { IdentityClient } from './identity.client';
import { UndiciTransport } from './undici-adapter';
import { UpstreamTransportModule } from './upstream-transport.module';
import { VendorTokenService } from './vendor-token.service';

/**
 * The identity API's one connection pool (undici): axios over node:http spent more time than the
 * rest of a proxied write (see docs/performance.md). The vendor token, fetched once
 * per token lifetime, goes through axios over that pool; the identity client's per-request calls
 * go to the pool directly (see UndiciTransport.exchange).
 */
@Module({
  imports: [
    UpstreamTransportModule,
    HttpModule.registerAsync({
      imports: [UpstreamTransportModule],
      inject: [GatewayConfig, UndiciTransport],
      useFactory: (config: GatewayConfig, transport: UndiciTransport) => ({
        adapter: transport.adapter,
        baseURL: config.frontegg.apiUrl,
        // A default only: the vendor token service gives its call min(this, its budget's time left).
        timeout: config.upstreamTimeoutMs,
        // Larger answers are refused (by Content-Length) or cut off while streaming: never buffered whole.
        maxContentLength: config.upstreamMaxResponseBytes,
        // Redirects could carry the vendor token to another host: never followed (undici does not).
        maxRedirects: 0,
        // Every status is handled explicitly by the vendor token service.
        validateStatus: () => true,
        headers: { accept: 'application/json', 'user-agent': 'frontegg-identity-gateway' },
      }),
    }),
  ],
  providers: [VendorTokenService, IdentityClient],
  exports: [VendorTokenService, IdentityClient],
})
export class IdentityModule {}
