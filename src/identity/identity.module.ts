import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { GatewayConfig } from '../config/gateway-config';
import { IdentityClient } from './identity.client';
import { UndiciTransport } from './undici-adapter';
import { VendorTokenService } from './vendor-token.service';

/**
 * The identity API's one connection pool, behind axios: axios over node:http spent more time
 * than the rest of a proxied write (see the README's performance section).
 */
const UPSTREAM_TRANSPORT = Symbol('UPSTREAM_TRANSPORT');

@Module({
  imports: [
    HttpModule.registerAsync({
      // Closed by Nest at shutdown, after the server has finished the requests in flight.
      extraProviders: [{ provide: UPSTREAM_TRANSPORT, useFactory: () => new UndiciTransport() }],
      inject: [GatewayConfig, UPSTREAM_TRANSPORT],
      useFactory: (config: GatewayConfig, transport: UndiciTransport) => ({
        adapter: transport.adapter,
        baseURL: config.frontegg.apiUrl,
        // A default only: the identity client gives each attempt min(this, the request's time left).
        timeout: config.upstreamTimeoutMs,
        // Larger answers are refused (by Content-Length) or cut off while streaming: never buffered whole.
        maxContentLength: config.upstreamMaxResponseBytes,
        // Redirects could carry the vendor token to another host: never followed (undici does not).
        maxRedirects: 0,
        // Every status is handled explicitly by the identity client.
        validateStatus: () => true,
        headers: { accept: 'application/json', 'user-agent': 'frontegg-identity-gateway' },
      }),
    }),
  ],
  providers: [VendorTokenService, IdentityClient],
  exports: [VendorTokenService, IdentityClient],
})
export class IdentityModule {}
