import { Module } from '@nestjs/common';
import { UndiciTransport } from './undici-adapter';

/**
 * The identity API's one connection pool: the identity client calls it directly, the vendor
 * token's axios instance through its adapter. Closed by Nest at shutdown, after the server has
 * finished the requests in flight.
 */
@Module({
  providers: [{ provide: UndiciTransport, useFactory: () => new UndiciTransport() }],
  exports: [UndiciTransport],
})
export class UpstreamTransportModule {}
